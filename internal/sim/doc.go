// Package sim is a discrete-event simulator of the load balancer, the
// autoscaler and a pool of workers, run on the production policy code: the
// estimator predicts each request's cost (estimator.Model, learning from
// the requests that complete), a balancer.Policy picks the worker
// (balancer.New), and an autoscaler.Policy's Decide sizes the pool every
// interval from an Observation built as the autoscaler's runner builds it.
//
// Workers boot for a delay, then serve up to a concurrency limit of
// requests at once by processor sharing: with n requests in flight each
// gets speed/n work units per second. A per-worker virtual clock (the work
// each in-flight request has received) keeps a completion O(log n): a
// request finishes when the virtual clock reaches its start tag plus its
// units, so only the smallest tag matters. Failures are injected (a worker
// dies at a time): its requests are retried elsewhere as the load balancer
// retries them, and the worker stays unhealthy until the autoscaler
// replaces it. Requests no worker can take wait in a bounded queue, served in
// the load balancer's order (balancer.QueueOrder: smallest predicted first
// with aging, or FIFO).
//
// A run is deterministic for a seed. The package is pure like the policies
// it runs: it must not import net/http, os/exec, a flag package or os
// (internal/archtest checks it); cmd/vfx reads the trace files and writes
// the reports (internal/sim/report).
package sim
