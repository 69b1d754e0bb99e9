package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/texttable"
)

// WriteTable writes the summary for people: what ran, whether the
// generator kept its schedule, and a table with a row per item, per
// workload and for all.
func (s *Summary) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "mix %s -> %s, %s loop (%s), seed %d\n", s.Mix, s.Target, s.Loop, s.Load, s.Seed)
	fmt.Fprintf(&b, "%d requests sent in %s", s.Sent, texttable.Duration(s.Elapsed))
	if s.Interrupted {
		b.WriteString(", interrupted: sending stopped early")
	}
	b.WriteString("\n")
	switch {
	case s.Loop != "open":
	case s.Late == 0:
		fmt.Fprintf(&b, "on schedule: every request left within %v of its scheduled time (largest lag %s)\n", LateAfter, texttable.Duration(s.MaxLag))
	default:
		fmt.Fprintf(&b, "BEHIND SCHEDULE: %d of %d requests left more than %v late (largest lag %s): the generator could not keep up; "+
			"their latencies still count from their scheduled times\n", s.Late, s.Sent, LateAfter, texttable.Duration(s.MaxLag))
	}
	b.WriteString("\n")
	cells := [][]string{{"item", "workload", "sent", "ok", "errors", "mean", "p50", "p90", "p99", "max", "req/s"}}
	for _, r := range s.Rows {
		cells = append(cells, []string{r.Name, string(r.Workload), fmt.Sprint(r.Count), fmt.Sprint(r.OK), FormatErrors(r.Errors),
			texttable.Duration(r.Mean), texttable.Duration(r.P50), texttable.Duration(r.P90), texttable.Duration(r.P99), texttable.Duration(r.Max),
			fmt.Sprintf("%.1f", r.Throughput)})
	}
	texttable.Write(&b, cells, "llrrlrrrrrr")
	lat := "scheduled time"
	if s.Loop != "open" {
		lat = "send time"
	}
	fmt.Fprintf(&b, "\nLatency: from each request's %s to the end of its answer, over the 2xx answers. req/s: answers per second of the run.\n", lat)
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatErrors writes errors by status or failure: "503:2 timeout:1", "-"
// for none.
func FormatErrors(errs map[string]int) string {
	if len(errs) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", strings.ReplaceAll(k, " ", "-"), errs[k])
	}
	return strings.Join(parts, " ")
}

// summaryJSON and rowJSON are the JSON forms: times in seconds (the run)
// and milliseconds (latencies).
type summaryJSON struct {
	Target      string    `json:"target"`
	Mix         string    `json:"mix"`
	Loop        string    `json:"loop"`
	Load        string    `json:"load"`
	Seed        uint64    `json:"seed"`
	ElapsedS    float64   `json:"elapsed_s"`
	Sent        int       `json:"sent"`
	Late        int       `json:"late"`
	MaxLagMs    float64   `json:"max_lag_ms"`
	Interrupted bool      `json:"interrupted"`
	Rows        []rowJSON `json:"rows"`
}

type rowJSON struct {
	Name       string         `json:"name"`
	Workload   string         `json:"workload,omitempty"`
	Count      int            `json:"count"`
	OK         int            `json:"ok"`
	Errors     map[string]int `json:"errors"`
	MeanMs     float64        `json:"mean_ms"`
	P50Ms      float64        `json:"p50_ms"`
	P90Ms      float64        `json:"p90_ms"`
	P99Ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	Throughput float64        `json:"throughput"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MarshalJSON writes the summary's JSON form.
func (s *Summary) MarshalJSON() ([]byte, error) {
	j := summaryJSON{
		Target: s.Target, Mix: s.Mix, Loop: s.Loop, Load: s.Load, Seed: s.Seed, ElapsedS: s.Elapsed.Seconds(),
		Sent: s.Sent, Late: s.Late, MaxLagMs: ms(s.MaxLag), Interrupted: s.Interrupted, Rows: []rowJSON{},
	}
	for _, r := range s.Rows {
		j.Rows = append(j.Rows, rowJSON{
			Name: r.Name, Workload: string(r.Workload), Count: r.Count, OK: r.OK, Errors: r.Errors,
			MeanMs: ms(r.Mean), P50Ms: ms(r.P50), P90Ms: ms(r.P90), P99Ms: ms(r.P99), MaxMs: ms(r.Max), Throughput: r.Throughput,
		})
	}
	return json.Marshal(j)
}
