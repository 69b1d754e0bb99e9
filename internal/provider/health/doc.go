// Package health is the /health probe that the providers running workers
// (local/, docker/) use to tell a starting worker from a ready or a
// draining one.
//
// It is apart from package provider so that provider itself stays free of
// net/http (package static and the autoscaler's loop import provider and
// must not import net/http). It must not import os/exec, any provider
// implementation, the load balancer, the autoscaler or the worker.
package health
