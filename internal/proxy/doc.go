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
// Every response teaches the estimator (X-Work-Units) and the worker's speed
// (X-Wall-Ms).
//
// The Pool is the seam between the load balancer and the autoscaler: it
// follows a provider's instances (new ones are booting until their health
// checks pass), health-checks them actively and ejects them passively
// (they become unhealthy), and exposes Snapshot, Add, Remove, Drain and
// WaitIdle. Worker states are package lifecycle's; the pool applies only
// the changes lifecycle's table allows and logs any other at error level.
//
// The package also serves the load balancer's own endpoints: /health,
// /api/v1/state (JSON), /metrics (Prometheus, private registry) and an index
// at /. Server.Shutdown ends every goroutine the server started and closes
// its idle connections to workers (forwarding and health checks).
//
// It owns no processes, no store and no command line: providers and stores
// are handed in by cmd/vfx through small interfaces, and cmd/vfx binds the
// flags that fill Config. It must not import os/exec, the AWS SDK, the
// provider implementations, the metrics store implementations, the worker
// server (internal/worker) or a flag package.
package proxy
