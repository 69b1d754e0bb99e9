// Package e2e tests the autoscaler end to end with real processes: it
// builds the vfx binary, starts `vfx up` with short scaling intervals,
// sends a burst of ray traces through the load balancer and checks that the
// pool grows, that every request succeeds, and that the pool shrinks back
// by draining workers without failing a request or leaving a process
// behind. It has test files only.
package e2e
