// Package local is the provider of worker processes on this machine
// (`--provider local`, the default of `vfx up`): each worker is a real
// `vfx worker` process listening on a free port of 127.0.0.1.
//
// Every worker runs in its own process group, so a Ctrl-C in the terminal
// reaches only the parent, which then shuts the workers down in order. Unless
// the provider is configured to detach them, workers are started with
// `--exit-with-parent` and a parent-death signal (SIGTERM), so a parent that
// is killed never leaves workers behind.
//
// The provider records each worker in StateDir/local/<id>.json (pid,
// address, launch time, binary) and writes its output to
// StateDir/logs/<id>.log. On start-up it adopts the workers recorded there
// that are still alive (the pid runs `vfx worker` with that id and /health
// answers) instead of launching new ones, and removes stale files. It never
// restarts a worker on its own: a worker that died is reported Terminated by
// List and forgotten; replacing it is the autoscaler's decision.
//
// Its Config embeds the settings every provider running workers has
// (provider.Workers) and adds its own: Detach, the adoption timeout, the
// port attempts.
//
// It must not import the load balancer, autoscaler or worker packages, nor
// any cloud or container SDK.
package local
