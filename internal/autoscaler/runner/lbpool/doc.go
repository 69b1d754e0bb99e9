// Package lbpool adapts the load balancer's worker pool (proxy.Pool) to the
// autoscaler loop's runner.Pool: it maps the load balancer's worker states
// to the autoscaler's (pending → booting, ready → ready, draining →
// draining, ejected → unhealthy) and copies what the policy and the state
// files need from each snapshot.
//
// It is the only part of the autoscaler that knows the proxy package. It
// must not import os/exec, the AWS SDK or any provider implementation.
package lbpool
