// Package health is the /health probe that the providers running workers
// (local/, docker/) use to tell a starting worker from a ready or a
// draining one, and to renew their workers' leases (package lease): every
// probe carries the lease header naming the deployment's owner, and the
// worker token when there is one; KeepRenewing probes every worker of a
// provider on a fixed interval, well within the lease timeout.
//
// It is apart from package provider so that provider itself stays free of
// net/http (package static and the autoscaler's loop import provider and
// must not import net/http). It must not import os/exec, any provider
// implementation, the load balancer, the autoscaler or the worker.
package health
