// Package e2etest holds the load balancer's end-to-end tests: they build
// the vfx binary once and drive real `vfx up`, `vfx lb` and `vfx worker`
// processes with the original client scripts (bash, curl, jq, base64) and a
// bounded mixed load, killing workers and the load balancer on the way, and
// stopping (SIGSTOP) and resuming a worker behind an in-process load
// balancer, and measure the peak memory of `vfx lb` and `vfx worker` under
// a hostile load (texture bombs and large bodies at once).
//
// It has no code of its own besides the tests; nothing imports it.
package e2etest
