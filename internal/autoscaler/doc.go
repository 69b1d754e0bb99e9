// Package autoscaler decides how many workers the pool should have.
//
// A Policy turns a value snapshot of the pool and of the load balancer's
// backlog (an Observation) into a Decision: the target pool size, how many
// workers to launch, which ready workers to drain before they are
// terminated, and which unhealthy workers to replace, with a one-sentence
// Reason that logs and the dashboard show. Policies are registered by name
// ("backlog", "cpu", "fixed") and built with New from a typed Config.
// Workers' states are package lifecycle's: booting, ready and unhealthy
// workers make up the pool, draining ones are leaving it and terminated ones
// are ignored.
//
// The decision code is pure: time is the now argument of Decide, policies
// keep their windows in plain values, and nothing here starts a goroutine,
// reads a clock or does I/O (apart from Config's LoadFile). That is what lets
// the discrete-event simulator run exactly the code production runs. The
// loop that observes the pool and acts on a provider lives elsewhere.
//
// This package must not import net/http, os/exec, the AWS SDK or any
// provider, balancer or proxy package; of this module it imports only
// lifecycle.
package autoscaler
