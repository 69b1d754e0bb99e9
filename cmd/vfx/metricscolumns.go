package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// The columns of each record kind vfx metrics prints, in the order of the
// table, the CSV and the JSON keys.

type (
	mtRequest  = metrics.RequestRecord
	mtSample   = metrics.WorkerSample
	mtDecision = metrics.Decision
)

// mtRequestColumns: the request record; its features keep their own
// snake_case keys (see workload.Features), left out of JSON when zero.
var mtRequestColumns = []mtColumn[mtRequest]{
	mtTimeCol(func(r *mtRequest) time.Time { return r.Time }),
	mtCol("key", "", func(r *mtRequest) any { return r.Key }),
	mtCol("request_id", "REQUEST", func(r *mtRequest) any { return r.RequestID }).table(func(r *mtRequest) string { return mtCell(r.RequestID) }),
	mtCol("client_request_id", "", func(r *mtRequest) any { return r.ClientRequestID }).omit(),
	mtCol("role", "ROLE", func(r *mtRequest) any { return string(r.Role) }).table(func(r *mtRequest) string { return mtCell(string(r.Role)) }),
	mtCol("attempt", "ATTEMPT", func(r *mtRequest) any { return r.Attempt }).table(mtAttemptCell),
	mtCol("attempts", "", func(r *mtRequest) any { return r.Attempts }),
	mtCol("workload", "WORKLOAD", func(r *mtRequest) any { return string(r.Features.Kind) }),
	mtTableOnly("SIZE", func(r *mtRequest) string { return mtSize(r.Features) }),
	mtFeature("scols", func(f *workload.Features) any { return f.SCols }),
	mtFeature("srows", func(f *workload.Features) any { return f.SRows }),
	mtFeature("wcols", func(f *workload.Features) any { return f.WCols }),
	mtFeature("wrows", func(f *workload.Features) any { return f.WRows }),
	mtFeature("coff", func(f *workload.Features) any { return f.COff }),
	mtFeature("roff", func(f *workload.Features) any { return f.ROff }),
	mtFeature("aa", func(f *workload.Features) any { return f.AA }),
	mtFeature("shapes", func(f *workload.Features) any { return f.Shapes }),
	mtFeature("lights", func(f *workload.Features) any { return f.Lights }),
	mtFeature("reflective", func(f *workload.Features) any { return f.Reflective }),
	mtFeature("transparent", func(f *workload.Features) any { return f.Transparent }),
	mtFeature("texmap_bytes", func(f *workload.Features) any { return f.TexmapBytes }),
	mtFeature("scene_bytes", func(f *workload.Features) any { return f.SceneBytes }),
	mtFeature("width", func(f *workload.Features) any { return f.Width }),
	mtFeature("height", func(f *workload.Features) any { return f.Height }),
	mtFeature("format", func(f *workload.Features) any { return f.Format }),
	mtFeature("input_bytes", func(f *workload.Features) any { return f.InputBytes }),
	mtFeature("input_hash", func(f *workload.Features) any { return f.InputHash }),
	mtCol("pixels", "PIXELS", func(r *mtRequest) any { return r.Features.Pixels() }),
	mtCol("multi", "", func(r *mtRequest) any { return r.Multi }),
	mtCol("units", "UNITS", func(r *mtRequest) any { return r.Units }),
	mtMillisCol("cpu_ms", "CPU_MS", func(r *mtRequest) time.Duration { return r.CPU }),
	mtMillisCol("wall_ms", "WALL_MS", func(r *mtRequest) time.Duration { return r.Wall }),
	mtCol("worker_id", "WORKER", func(r *mtRequest) any { return r.WorkerID }).table(func(r *mtRequest) string { return mtDash(r.WorkerID) }),
	mtCol("outcome", "OUTCOME", func(r *mtRequest) any { return string(r.Outcome) }),
	mtCol("status", "STATUS", func(r *mtRequest) any { return r.Status }).table(func(r *mtRequest) string { return mtDashInt(r.Status) }),
	mtCol("error", "", func(r *mtRequest) any { return r.Error }).omit(),
	mtCol("predicted_units", "", func(r *mtRequest) any { return r.PredictedUnits }),
}

// mtAttemptCell is the table's ATTEMPT cell: an attempt's number, or in
// parentheses the number of attempts a final record counts.
func mtAttemptCell(r *mtRequest) string {
	if r.Role == metrics.RoleFinal {
		return "(" + strconv.Itoa(r.Attempts) + ")"
	}
	return strconv.Itoa(r.Attempt)
}

// mtFeature is a request feature: CSV and JSON only, left out of JSON when
// zero.
func mtFeature(key string, get func(*workload.Features) any) mtColumn[mtRequest] {
	return mtCol(key, "", func(r *mtRequest) any { return get(&r.Features) }).omit()
}

// mtMillisCol is a duration in milliseconds: exact (to the nanosecond,
// without trailing zeros) in CSV and JSON, to a tenth in the table.
func mtMillisCol[T any](key, head string, get func(*T) time.Duration) mtColumn[T] {
	return mtCol(key, head, func(r *T) any { return mtMillis(get(r)) }).
		csv(func(r *T) string { return strconv.FormatFloat(mtMillis(get(r)), 'f', -1, 64) }).
		table(func(r *T) string { return strconv.FormatFloat(mtMillis(get(r)), 'f', 1, 64) })
}

// mtSampleColumns: the worker sample.
var mtSampleColumns = []mtColumn[mtSample]{
	mtTimeCol(func(s *mtSample) time.Time { return s.Time }),
	mtCol("worker_id", "WORKER", func(s *mtSample) any { return s.WorkerID }).table(func(s *mtSample) string { return mtCell(s.WorkerID) }),
	mtCol("address", "ADDRESS", func(s *mtSample) any { return s.Address }).table(func(s *mtSample) string { return mtDash(s.Address) }),
	mtCol("cpu_percent", "CPU_%", func(s *mtSample) any { return s.CPUPercent }).
		table(func(s *mtSample) string { return strconv.FormatFloat(s.CPUPercent, 'f', 1, 64) }),
	mtCol("memory_bytes", "MEMORY_MIB", func(s *mtSample) any { return s.MemoryBytes }).
		table(func(s *mtSample) string { return strconv.FormatFloat(float64(s.MemoryBytes)/(1<<20), 'f', 1, 64) }),
	mtCol("in_flight", "IN_FLIGHT", func(s *mtSample) any { return s.InFlight }),
	mtCol("health", "HEALTH", func(s *mtSample) any { return s.Health.String() }).table(func(s *mtSample) string { return mtCell(s.Health.String()) }),
}

// mtDecisionColumns: the autoscaling decision.
var mtDecisionColumns = []mtColumn[mtDecision]{
	mtTimeCol(func(d *mtDecision) time.Time { return d.Time }),
	mtCol("policy", "POLICY", func(d *mtDecision) any { return d.Policy }).table(func(d *mtDecision) string { return mtCell(d.Policy) }),
	mtCol("action", "ACTION", func(d *mtDecision) any { return d.Action.String() }).table(func(d *mtDecision) string { return mtCell(d.Action.String()) }),
	mtCol("from", "FROM", func(d *mtDecision) any { return d.From }),
	mtCol("to", "TO", func(d *mtDecision) any { return d.To }),
	mtCol("worker_id", "WORKER", func(d *mtDecision) any { return d.WorkerID }).omit().table(func(d *mtDecision) string { return mtDash(d.WorkerID) }),
	mtCol("reason", "REASON", func(d *mtDecision) any { return d.Reason }).table(func(d *mtDecision) string { return mtCell(d.Reason) }),
}

// mtTableTime is how the table shows a time: UTC, milliseconds.
const mtTableTime = "2006-01-02T15:04:05.000Z07:00"

func mtMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// mtSize is a request's output size as COLSxROWS.
func mtSize(f workload.Features) string {
	if f.Kind == workload.Raytracer {
		return fmt.Sprintf("%dx%d", f.WCols, f.WRows)
	}
	return fmt.Sprintf("%dx%d", f.Width, f.Height)
}

// mtCell keeps a table cell on one line and its columns aligned.
func mtCell(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// mtDashInt is a table cell that shows 0 as "-".
func mtDashInt(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// mtDash is a table cell that shows an empty value as "-".
func mtDash(s string) string {
	if s == "" {
		return "-"
	}
	return mtCell(s)
}
