// Package trace is the request trace format shared by `vfx load`, which
// writes what it sent and what came back, and `vfx sim`, which replays it:
// one Entry per request, with its scheduled arrival time, its workload
// features, and, once it ran, its status, latency and cost.
//
// A trace is stored as JSON Lines (one Entry per line; the form `vfx sim`
// reads back exactly) or as CSV with a header row (for spreadsheets and
// plotting tools; it carries the same fields). ReadFile recognises either.
//
// It is pure data and encoding: it must not import net/http, os/exec or a
// cloud SDK, and nothing of this module but workload.
package trace
