// Package proxy is the HTTP front of the SpecialVFX@Cloud load balancer.
//
// For every compute request it decodes and validates the request cheaply
// (query, body size, scene header or image header: the worker's own Decode,
// no rendering), asks the estimator what the request will cost in work
// units, lets a balancer policy pick the worker that will finish it soonest
// from a value snapshot of the pool, and forwards it. Requests no worker can
// take wait in a bounded FIFO queue; a worker that refuses the connection,
// dies before answering or answers 502/503 is excluded and the request is
// retried elsewhere with backoff, within the request's deadline. Every
// response teaches the estimator (X-Work-Units) and the worker's speed
// (X-Wall-Ms).
//
// The Pool is the seam between the load balancer and the autoscaler: it
// follows a provider's instances (new ones are pending until their health
// checks pass), health-checks them actively and ejects them passively, and
// exposes Snapshot, Add, Remove, Drain and WaitIdle.
//
// The package also serves the load balancer's own endpoints: /health,
// /api/v1/state (JSON), /metrics (Prometheus, private registry) and an index
// at /. Server.Shutdown ends every goroutine the server started and closes
// its idle connections to workers (forwarding and health checks).
//
// It owns no processes and no store: providers and stores are handed in by
// cmd/vfx through small interfaces. It must not import os/exec, the AWS SDK,
// the provider implementations or the metrics store implementations.
package proxy
