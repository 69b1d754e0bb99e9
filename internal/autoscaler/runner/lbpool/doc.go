// Package lbpool adapts the load balancer's worker pool (proxy.Pool) to the
// autoscaler loop's runner.Pool: it copies what the policy and the state
// files need from each snapshot (both sides speak lifecycle's worker
// states; an unhealthy worker's state_since is when it became unhealthy).
//
// It is the only part of the autoscaler that knows the proxy package. It
// must not import os/exec, the AWS SDK or any provider implementation.
package lbpool
