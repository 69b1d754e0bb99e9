// Package provider defines how the autoscaler and the load balancer obtain
// and release workers: the Provider interface and its instances. The
// implementations are local processes (local/), Docker containers
// (docker/) and a fixed list of addresses (static/); there is no registry:
// the command that runs one (cmd/vfx) builds it, by name, from a typed
// Config of its own.
//
// A provider only starts and stops workers and reports what exists; it never
// decides how many there should be (that is the autoscaler) and never routes
// traffic (that is the load balancer). It reports each worker's state in
// package lifecycle's words, mapping its platform's own states as
// lifecycle's doc describes. Secrets reach the workers it starts in their
// environment (Options.WorkerEnv), never on their command line.
//
// The workers of the providers that run `vfx worker` belong to one owner
// at a time, the process (a load balancer) whose provider started or
// adopted them (package owner): a second provider of the
// same deployment fails to start with an error wrapping owner.ErrOwned
// that names the live owner, and one whose owner died takes it over and
// adopts what it left (the Owner is in each implementation's Config). Each
// worker holds a lease (Workers.LeaseTimeout;
// package lease) that its owner renews with its /health probes (health/):
// a worker whose owner is killed or frozen drains and exits by itself.
//
// It also holds what the implementations that run `vfx worker` share: the
// settings embedded in their Config (Workers: binary, worker arguments,
// state directory, store, timeouts, lease, limit, token) with their
// defaults and checks,
// the *FieldError each problem is reported as (so that a command can name
// the flag that set the field), the closing of a provider (Shutdown) and
// launching workers in parallel (LaunchEach). The /health probe of the
// providers that run workers is in health/.
//
// It must not import net/http, os/exec or any package below it (the
// implementations, health/, owner/): the load balancer, the static provider
// and the autoscaler's loop import it and must stay free of them.
package provider
