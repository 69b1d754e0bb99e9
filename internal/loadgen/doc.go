// Package loadgen is the load generator of `vfx load` and of the
// benchmarks under bench/: it pushes a request mix at a worker or the load
// balancer and measures what comes back.
//
// A Mix is what is sent: items (ray traces, blurs, enhances), each with a
// weight, read from a Spec (a small YAML or JSON file, read strictly with
// internal/config) or built by a preset (course, unseen, tiny). Every
// file is read once, every request body of a repeated input is built once,
// and every input's workload features are computed with wire.Decode, as
// the load balancer computes them. The unseen preset draws a new input for
// each request instead (random scene sizes, windows and offsets; images
// rescaled, cropped and re-encoded), built ahead of its send time.
//
// When requests are sent is an Arrival process (Poisson, constant,
// bursts, a diurnal ramp, phases of constant rate) in an open loop, or a
// fixed number of clients in a closed loop. The sequence of items,
// parameters and scheduled times is drawn from a seed and reproducible
// exactly (Plan writes it without sending anything).
//
// Run sends the sequence. In the open loop each request has a scheduled
// time and its latency is measured from that time, not from the moment it
// left: a slow server cannot hide its queueing behind a generator that
// waits for it (coordinated omission). When the generator itself falls
// behind its schedule it counts the late requests and the largest lag
// rather than silently sending less. Every request becomes one trace.Entry
// (scheduled time, features, status, latency, worker, cost), written in
// sequence order to a Sink, and the Summary gives count, errors by status,
// mean, p50, p90, p99, max and throughput per item, per workload and
// overall. Every run is bounded in count and time (within the hard caps
// MaxCount, MaxDuration and the others), stops by itself, and on
// cancellation stops sending and waits a bounded time for the answers in
// flight.
//
// It must not import the worker, the load balancer, the providers, the
// metrics store, os/exec, a cloud SDK or a flag package: cmd/vfx binds the
// flags and the benchmarks drive it as a library.
package loadgen
