// Package instrument accounts for what one request costs: deterministic work
// units counted by the workload itself, the CPU time of the OS threads that did
// the work, and wall time.
//
// Work units are counted by each workload in per-goroutine counters that are
// merged once at the end (no atomics in inner loops), so the same input gives
// the same count on any machine and any number of threads. CPU time is read
// from the per-thread CPU clock of goroutines locked to their OS threads, so it
// stays correct when many requests run concurrently in one process.
//
// This package is pure accounting: it must not import net/http, the AWS SDK or
// os/exec.
package instrument
