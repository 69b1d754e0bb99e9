// Package balancer holds the load balancer's routing policies: given the
// predicted cost of a request and a value snapshot of the worker pool, a
// Policy picks the worker to send it to. Policies returns them by name
// (cost, least-requests, round-robin, p2c, cpu); New builds one.
// QueueOrder is the order queued requests get workers in (smallest
// predicted first with aging, or FIFO), time passed in.
//
// It is pure policy code, shared by the HTTP proxy and the simulator:
// snapshots in, an index out, randomness injected. It must not import
// net/http, the AWS SDK, Docker, os/exec or a flag package, nor import os
// itself (internal/archtest checks it).
package balancer
