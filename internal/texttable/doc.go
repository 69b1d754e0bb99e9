// Package texttable writes the plain-text tables and latencies the
// commands print for people: columns two spaces apart, each aligned left
// or right, and durations at a precision that suits them. `vfx load` and
// `vfx sim` print their summaries with it.
//
// It is pure formatting, imported by the simulator's decision code: it
// must not import net/http, os/exec or os.
package texttable
