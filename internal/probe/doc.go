// Package probe estimates what a request will cost from its input itself,
// cheaply, before it runs: for a ray trace a sparse render of the
// requested window (a fixed, small budget of primary rays on a stratified
// grid, traced by the production tracer's counters and scaled to the
// window and anti-aliasing). The estimator takes a probe's estimate as
// the base its regression corrects.
//
// A probe is skipped where it would cost more than a small share of the
// request it predicts.
//
// The package is pure computation: it must not import net/http, os,
// os/exec or any cloud SDK.
package probe
