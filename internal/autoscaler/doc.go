// Package autoscaler decides how many workers the pool should have.
//
// A Policy turns a value snapshot of the pool and of the load balancer's
// backlog (an Observation) into a Decision: the target pool size, how many
// workers to launch, which ready workers to drain before they are
// terminated, and which unhealthy workers to replace, with a one-sentence
// Reason that logs and the dashboard show. Policies returns the policies
// by name ("backlog", "cpu", "fixed"); New builds one from a typed Config
// (Default, Validate; its yaml tags are the keys of the configuration
// file the commands read). Every policy is Bounded: its min and max can
// change while it runs.
// Workers' states are package lifecycle's: booting, ready and unhealthy
// workers make up the pool, draining ones are leaving it and terminated ones
// are ignored.
//
// The decision code is pure: time is the now argument of Decide, policies
// keep their windows in plain values, and nothing here starts a goroutine,
// reads a clock or does I/O, not even to read its configuration. That is
// what lets the discrete-event simulator run exactly the code production
// runs. The loop that observes the pool and acts on a provider, with its
// own settings (drain timeout, state directory), is runner; the flags and
// the file that fill Config are cmd/vfx's and internal/config's.
//
// This package must not import net/http, os/exec, the AWS SDK, Docker, a
// flag package (flag, pflag, cobra) or any provider, balancer or proxy
// package, nor import os itself (internal/archtest checks it); of this
// module it imports only lifecycle.
package autoscaler
