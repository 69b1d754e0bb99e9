// Package lease is the lease that ties a worker to the load balancer that
// started it: the worker holds it while the load balancer renews it, and
// drains and exits by itself once it has not been renewed for its
// timeout, so that a load balancer that is killed (or frozen) leaves no
// worker running for long.
//
// A renewal is one header, Header, on a GET /health of the worker; its
// value names the holder (the owner of the deployment, e.g. "vfx pid 4242
// on host1 http://127.0.0.1:8000"). With a worker token the renewal must
// carry it (Authorization: Bearer) like every other request of the load
// balancer; the worker answers an unauthenticated renewal with 401.
//
// Lease is the worker's side, pure bookkeeping with the time passed in:
// Renew, Expired, Deadline. Holder checks and cleans a holder's name.
//
// It must not import net/http, os/exec or os: the worker and the
// providers' probe share it as a value type.
package lease
