// Package worker is the HTTP server of a SpecialVFX@Cloud worker: it serves
// the original system's API (POST /raytracer, /blurimage, /enhanceimage with
// the same query parameters, bodies and data-URL responses), plus /health,
// /status and /metrics, and leaves one metrics record for every compute
// request it receives: an attempt record under the load balancer's request
// id and attempt number (X-Server-Request-Id, X-Attempt), or a direct record
// under a request id of its own when reached without a load balancer; the
// record's key is the worker's, the client's X-Request-Id only a
// correlation field.
//
// A request's body is read within Config.BodyTimeout and reserved, as it
// is read, on the worker's memory budget (Config.MaxMemory, package
// budget); then it goes through wire.Prepare and DecodeHeader (query, JSON
// or data-URL body, scene and image headers: cheap, no pixels; the load
// balancer runs the same decoder, so it answers bad requests exactly as a
// worker would), reserves what decoding its pixels, running it and
// encoding its answer need (503 with Retry-After when that does not fit
// now, 413 when it never can), and only then takes an in-flight slot: a
// slow client costs a connection, not a slot. Then come its pixels
// (Request.DecodePixels), the workload (raytracer or imageproc, cancelled
// when the client goes away), then
// wire.EncodeResponse (data URL, or raw image bytes when the client asks for
// them, wire.Negotiate). The wire format itself lives in package wire. Each
// request's cost is its own: deterministic work units counted by the
// workload, the CPU time of the threads that worked on it (the workload's
// threads plus decoding and encoding measured with instrument.Measure), and
// wall time. Records go to a Recorder (metrics.Recorder: asynchronous and
// batched), never synchronously to the store.
//
// The compute paths carry the original's CORS headers and answer its
// OPTIONS preflight; nothing else does. With Config.Token (the worker
// token the load balancer shares) the compute paths, /status and /metrics
// answer 401 to a request without that bearer token, unrecorded; /health
// and / stay open for probes.
//
// With Config.LeaseTimeout the worker holds a lease (package lease) that a
// GET /health carrying the lease header renews (with Config.Token, only
// with that token: 401 otherwise); when none has for the timeout, Serve
// drains and returns as on shutdown, so a worker outlives a killed or
// frozen load balancer by at most that long.
//
// The worker admits at most Config.MaxInflight compute requests at a time
// and answers the rest with 503 and Retry-After instead of thrashing; what
// a request reserved is released when its response is sent. On
// shutdown it reports "draining" on /health, refuses new work, finishes what
// is in flight within Config.DrainTimeout and returns. Its samples of
// itself (CPU, memory, in flight, health) are taken one at a time and
// recorded in time order: the first before Serve accepts a connection,
// then one every Config.SampleInterval, one when draining starts and one
// when it ends.
//
// This package must not import the load balancer (internal/proxy,
// internal/balancer, internal/estimator), the autoscaler, the provider
// packages, the AWS SDK or os/exec.
package worker
