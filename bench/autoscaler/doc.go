// Command autoscaler is the driver of bench/autoscaler.sh: it replays one
// seeded bursty trace of ray-trace requests (quiet → burst → quiet →
// burst → quiet) through `vfx up` once per autoscaling policy and prints a
// Markdown table per policy: p50/p99 latency, the share of requests within
// the latency objective, worker-seconds spent, the largest pool and the
// number of scale events.
//
// Every server it starts listens on 127.0.0.1; the trace is bounded in
// count and time.
package main
