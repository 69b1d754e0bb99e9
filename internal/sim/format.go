package sim

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/texttable"
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
			texttable.Duration(r.P50), texttable.Duration(r.P95), texttable.Duration(r.P99), texttable.Duration(r.Max),
			fmt.Sprintf("%.1f%%", 100*r.Attained)}, r.PoolCells()...))
	}
	texttable.Write(&b, cells, "llrrrrrrrrrrrrr")
	fmt.Fprintf(&b, "\nLatency: from arrival at the load balancer to completion, over the answered requests. slo: share of all requests answered within %s.\n", texttable.Duration(slo))
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
