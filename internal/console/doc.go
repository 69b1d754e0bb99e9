// Package console writes what a command tells the person running it:
// permanent lines, progress of the steps that take a while, and — on a
// terminal — one live line at the bottom that is redrawn in place (a
// step's spinner with its elapsed time, or a status line).
//
// A Console owns its writer: every permanent line, and every log line
// written through Above, first clears the live line and then draws it
// again below, so live output never mixes with the rest and never hides
// it. The live line is cut to the terminal's width, so a redraw always
// covers the previous one. When the writer is not a terminal there is no
// live line: a step that lasts longer than Options.PlainAfter prints plain
// lines instead (what it is doing, then how long it took), or nothing at
// all when PlainAfter is 0.
//
// The package knows nothing of what the steps are. It must not import
// net/http, os/exec or any package of this module.
package console
