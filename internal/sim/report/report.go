package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"

	"github.com/specialvfx/vfx/internal/sim"
	"github.com/specialvfx/vfx/internal/texttable"
)

// Meta describes a simulation for its report.
type Meta struct {
	Title string
	// Lines describe the input and the pool, one per line (Markdown).
	Lines []string
}

// figures are the plots of a report: file name, caption, how to draw it.
var figures = []struct {
	file, caption string
	draw          func([]*sim.Result) (*plot.Plot, error)
}{
	{"latency.svg", "Latency over time", Latency},
	{"pool.svg", "Pool size over time", Pool},
	{"backlog.svg", "Backlog over time", Backlog},
	{"cdf.svg", "Latency CDF", CDF},
}

// Write writes report.md and its SVG plots into dir (created if needed)
// and returns the files written.
func Write(dir string, m Meta, results []*sim.Result) ([]string, error) {
	if len(results) == 0 {
		return nil, errors.New("report: no results")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var files []string
	for _, f := range figures {
		p, err := f.draw(results)
		if err != nil {
			return files, fmt.Errorf("report %s: %w", f.file, err)
		}
		var b bytes.Buffer
		if err := WriteSVG(&b, p); err != nil {
			return files, fmt.Errorf("report %s: %w", f.file, err)
		}
		path := filepath.Join(dir, f.file)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return files, fmt.Errorf("report: %w", err)
		}
		files = append(files, path)
	}
	path := filepath.Join(dir, "report.md")
	if err := os.WriteFile(path, []byte(Markdown(m, results)), 0o644); err != nil {
		return files, fmt.Errorf("report: %w", err)
	}
	return append(files, path), nil
}

// Markdown is the report: what was simulated, the summary table, the
// plots.
func Markdown(m Meta, results []*sim.Result) string {
	var b strings.Builder
	title := m.Title
	if title == "" {
		title = "Simulation"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	for _, l := range m.Lines {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	if len(m.Lines) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("| routing | scaling | done | refused | p50 | p95 | p99 | max | SLO | worker-s | launched | drained | replaced | queue peak | pool peak |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %s | %.1f%% | %s |\n",
			r.Routing, r.Scaling, r.Completed, r.Rejected+r.TimedOut+r.Failed,
			texttable.Duration(r.P50), texttable.Duration(r.P95), texttable.Duration(r.P99), texttable.Duration(r.Max),
			100*r.Attained, strings.Join(r.PoolCells(), " | "))
	}
	fmt.Fprintf(&b, "\nLatency is from arrival at the load balancer to completion, over the answered requests; SLO is the share of all requests answered within %s. Refused: queue full, queue timeout or out of retries. Worker-seconds run from each worker's launch to its termination (or the end of the run).\n\n",
		texttable.Duration(results[0].SLO))
	for _, f := range figures {
		fmt.Fprintf(&b, "![%s](%s)\n\n", f.caption, f.file)
	}
	return b.String()
}
