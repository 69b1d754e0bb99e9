package sim

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// WriteTable writes the results side by side, a row per policy pair:
// requests answered and not, latency percentiles, SLO attainment,
// worker-seconds, scaling and queue peaks.
func WriteTable(w io.Writer, results []*Result) error {
	var b strings.Builder
	cells := [][]string{{"routing", "scaling", "done", "refused", "p50", "p95", "p99", "max", "slo", "worker-s", "launched", "drained", "replaced", "queue-peak", "pool-peak"}}
	slo := time.Duration(0)
	for _, r := range results {
		slo = r.SLO
		cells = append(cells, append([]string{
			r.Routing, r.Scaling, fmt.Sprint(r.Completed), fmt.Sprint(r.Rejected + r.TimedOut + r.Failed),
			FormatDuration(r.P50), FormatDuration(r.P95), FormatDuration(r.P99), FormatDuration(r.Max),
			fmt.Sprintf("%.1f%%", 100*r.Attained)}, r.PoolCells()...))
	}
	writeColumns(&b, cells, "llrrrrrrrrrrrrr")
	fmt.Fprintf(&b, "\nLatency: from arrival at the load balancer to completion, over the answered requests. slo: share of all requests answered within %s.\n", FormatDuration(slo))
	b.WriteString("refused: queue full, queue timeout, or out of retries. worker-s: seconds each worker was up, from launch to termination.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// PoolCells are the pool figures of r as table cells: worker-seconds,
// launched, drained, replaced, queue peak, pool peak ("-" for a measured
// trace, which has none).
func (r *Result) PoolCells() []string {
	if r.Measured {
		return []string{"-", "-", "-", "-", "-", "-"}
	}
	return []string{fmt.Sprintf("%.0f", r.WorkerSeconds), fmt.Sprint(r.Launched), fmt.Sprint(r.Drained),
		fmt.Sprint(r.Replaced), fmt.Sprint(r.QueuePeak), fmt.Sprint(r.PoolPeak)}
}

// writeColumns writes a table, columns two spaces apart, each aligned as
// align says ('l' left, 'r' right).
func writeColumns(b *strings.Builder, cells [][]string, align string) {
	width := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range cells {
		var line strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if align[i] == 'l' {
				line.WriteString(c + pad)
			} else {
				line.WriteString(pad + c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// FormatDuration writes a latency at a precision that suits it: 850µs,
// 25.1ms, 1.25s; "-" for none.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
