// Package balancer holds the load balancer's routing policies: given the
// predicted cost of a request and a value snapshot of the worker pool, a
// Policy picks the worker to send it to. Policies are registered by name
// (cost, least-requests, round-robin, p2c, cpu) and built with New.
//
// It is pure policy code, shared by the HTTP proxy and the simulator:
// snapshots in, an index out, randomness injected. It must not import
// net/http, the AWS SDK or os/exec.
package balancer
