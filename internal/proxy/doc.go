// Package proxy is the HTTP front of the SpecialVFX@Cloud load balancer.
//
// For every compute request it reads the body within its memory budget
// (Config.MaxBuffered, package budget: bodies reserved as they are read,
// then what decoding their headers may allocate, then the responses it
// reads ahead; 503 with Retry-After before more is read when there is no
// room), decodes and validates what routing needs and nothing more (query,
// scene with its texture's header, image header: wire.Prepare and
// DecodeHeader, the decoder the workers run; no pixel, no rendering), asks
// the estimator what the request will cost in work units, lets a balancer
// policy pick the worker that will finish it soonest from a value snapshot
// of the pool, and forwards it. A
// request it refuses is answered with the status and message a worker would
// give, and recorded with the features read before the error. Requests no
// worker can take wait in a bounded FIFO queue; a worker that refuses the
// connection, dies before answering or answers 502/503 is excluded and the
// request is retried elsewhere with backoff, within the request's deadline.
// Each attempt has a deadline from its predicted cost (deadline.go: a floor
// plus a multiple of the predicted units over the worker's learnt speed);
// an attempt that outlives it is hedged on another worker, the first answer
// winning and the other attempt being cancelled, within a budget (hedge.go:
// a share of the requests plus a burst), or at once when its worker stopped
// answering its health checks (attempts.go runs a request's attempts as a
// race). Every response teaches the estimator (X-Work-Units) and the
// worker's speed (X-Wall-Ms). Each request gets the load balancer's own
// request id (X-Server-Request-Id, sent to the worker with the attempt's
// number in X-Attempt, so that the worker records each attempt under it),
// and leaves one final record through the Recorder: what the client got.
// The client's X-Request-Id is kept beside it for correlation and sent
// back, never used as a key.
//
// The Pool is the seam between the load balancer and the autoscaler: it
// follows a provider's instances (new ones are booting until their health
// checks pass), health-checks them actively and ejects them passively
// (they become unhealthy), and exposes Snapshot, Add, Remove, Drain and
// WaitIdle. A worker whose health check times out, or on which an attempt
// outlives its deadline, is suspect at once (suspect.go: unhealthy, no new
// requests) and ready again as soon as it answers. Worker states are
// package lifecycle's; the pool applies only the changes lifecycle's table
// allows and logs any other at error level.
//
// The package also serves the load balancer's own endpoints: /health, an
// index at /, /api/v1/state (JSON), the operator actions POST
// /api/v1/workers/{id}/drain and GET or PUT /api/v1/autoscaler (the pool's
// bounds, through the function SetScaleBounds installs), and /metrics
// (Prometheus, private registry). With Options.AdminToken the /api/v1/*
// endpoints and /metrics require it as a bearer token (package access);
// with Options.WorkerToken every request to a worker carries that token.
// The original's CORS headers and OPTIONS answer are on the compute paths
// only. Server.Shutdown waits for the requests being handled (Handling)
// until its context ends, hands those left back with 503, ends every
// goroutine the server started and closes its idle connections to workers
// (forwarding and health checks); Drained then counts the requests it
// waited for by how they ended (finished, handed back, cut).
//
// It owns no processes, no store and no command line: providers and stores
// are handed in by cmd/vfx through small interfaces, and cmd/vfx binds the
// flags that fill Config. It must not import os/exec, the AWS SDK, the
// provider implementations, the metrics store implementations, the worker
// server (internal/worker) or a flag package.
package proxy
