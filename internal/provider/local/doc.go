// Package local is the provider of worker processes on this machine
// (`--provider local`, the default of `vfx up`): each worker is a real
// `vfx worker` process listening on a free port of 127.0.0.1.
//
// Every worker runs in its own process group, so a Ctrl-C in the terminal
// reaches only the parent, which then shuts the workers down in order. Unless
// the provider is configured to detach them, workers are started with
// `--exit-with-parent`, a parent-death signal (SIGTERM) and a lease
// (`--lease-timeout`) that the provider renews, so a parent that is killed
// never leaves workers behind, and one that is frozen not for longer than
// the lease timeout.
//
// The state directory has one owner at a time: New takes an exclusive
// flock on StateDir/local/owner.lock (LockPath), which records the owner,
// and fails with an error wrapping owner.ErrOwned while another provider,
// of this process or another, holds it; Close releases it, and the kernel
// does when the owner dies, so the next New takes over from a killed one.
//
// The provider records each worker in StateDir/local/<id>.json (pid,
// address, launch time, binary) and writes its output to
// StateDir/logs/<id>.log. On start-up, once it holds the state directory,
// it adopts the workers recorded there that are still alive (the pid runs
// `vfx worker` with that id and /health answers): those a dead owner left.
// It removes stale files. It never
// restarts a worker on its own: a worker that died is reported Terminated by
// List and forgotten; replacing it is the autoscaler's decision.
//
// Its Config embeds the settings every provider running workers has
// (provider.Workers) and adds its own: Detach (no --exit-with-parent, no
// parent-death signal, no lease: workers for the next owner to adopt), the
// adoption timeout, the port attempts.
//
// It must not import the load balancer, autoscaler or worker packages, nor
// any cloud or container SDK.
package local
