// Package report writes the results of `vfx sim` for people: a Markdown
// report with the summary table and SVG plots (latency over time, pool
// size, backlog, latency CDF per policy pair), drawn with gonum.org/v1/plot
// without embedded fonts so the files stay small.
//
// It is the simulator's output side, kept out of internal/sim so that the
// simulator itself stays pure; it writes files and must not import
// net/http or os/exec.
package report
