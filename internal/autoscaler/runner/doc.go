// Package runner is the autoscaler's loop: every autoscaler.Config.Interval
// it takes a snapshot of the load balancer's pool, turns it into an
// autoscaler.Observation, asks the policy for a Decision and acts on it.
//
// Acting never kills work. Launched workers join the pool as booting and
// get requests once their health checks pass; a worker chosen for removal
// is first drained (the load balancer stops sending it requests), the loop
// waits for its requests in flight to finish (at most the drain timeout of
// its own Config, next to the state directory), and only then terminates
// it through the provider and removes it from the pool. Drains run in
// goroutines of their own, so the loop keeps evaluating while a worker
// finishes its requests. A booting worker is never drained; an unhealthy
// one is terminated and replaced. A worker found draining with nobody
// waiting for it (drained by an operator through the load balancer, or
// whose termination failed) is taken up the same way.
//
// SetBounds changes the pool's min and max while the loop runs (the load
// balancer's PUT /api/v1/autoscaler): they are validated as the
// configuration is, and the policy (autoscaler.Bounded) keeps its windows.
//
// Every decision that changes something is logged (slog, info), recorded
// in the metrics store and kept in a ring buffer that Snapshot serves to the
// load balancer's state API; with a state directory, VMState.xml is
// rewritten every few seconds (and with it, when Options.AllVMInstances
// asks for it, the original's allVmInstances.xml) and ASState.xml on every
// recorded decision.
//
// Time comes from an injected Clock, so tests script it. The pool, the
// provider and the metrics recorder come in through the small interfaces
// declared here: this package must not import net/http, os/exec, the AWS
// SDK, the proxy, any provider implementation or a flag package.
package runner
