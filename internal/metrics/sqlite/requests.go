package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// requests is the table of request records, one row per key: every
// feature in a column of its own.
var requests = newTable(table[metrics.RequestRecord]{
	name: "requests", noun: "requests",
	columns: []string{
		"key", "role", "request_id", "client_request_id", "attempt", "attempts", "time_ns", "workload",
		"scols", "srows", "wcols", "wrows", "coff", "roff", "aa",
		"shapes", "lights", "reflective", "transparent", "texmap_bytes", "scene_bytes",
		"width", "height", "format", "input_bytes", "input_hash",
		"multi", "units", "cpu_ns", "wall_ns", "worker_id", "outcome", "status", "error",
		"predicted_units", "probe_units",
	},
	order:    "time_ns DESC, key DESC",
	validate: metrics.ValidateRequests,
	args:     requestArgs,
	scan:     scanRequest,
	describe: func(r *metrics.RequestRecord) string { return fmt.Sprintf("request record %q", r.Key) },
})

func requestArgs(r *metrics.RequestRecord) []any {
	f := &r.Features
	return []any{
		r.Key, string(r.Role), r.RequestID, r.ClientRequestID, r.Attempt, r.Attempts, r.Time.UnixNano(), string(f.Kind),
		f.SCols, f.SRows, f.WCols, f.WRows, f.COff, f.ROff, boolInt(f.AA),
		f.Shapes, f.Lights, f.Reflective, f.Transparent, f.TexmapBytes, f.SceneBytes,
		f.Width, f.Height, f.Format, f.InputBytes, f.InputHash,
		boolInt(r.Multi), r.Units, int64(r.CPU), int64(r.Wall), r.WorkerID, string(r.Outcome), r.Status, r.Error,
		r.PredictedUnits, f.ProbeUnits,
	}
}

func scanRequest(rows *sql.Rows) (metrics.RequestRecord, error) {
	var (
		r                metrics.RequestRecord
		f                = &r.Features
		timeNS, cpu, wal int64
		kind, outcome    string
		role             string
	)
	err := rows.Scan(
		&r.Key, &role, &r.RequestID, &r.ClientRequestID, &r.Attempt, &r.Attempts, &timeNS, &kind,
		&f.SCols, &f.SRows, &f.WCols, &f.WRows, &f.COff, &f.ROff, &f.AA,
		&f.Shapes, &f.Lights, &f.Reflective, &f.Transparent, &f.TexmapBytes, &f.SceneBytes,
		&f.Width, &f.Height, &f.Format, &f.InputBytes, &f.InputHash,
		&r.Multi, &r.Units, &cpu, &wal, &r.WorkerID, &outcome, &r.Status, &r.Error,
		&r.PredictedUnits, &f.ProbeUnits,
	)
	if err != nil {
		return r, fmt.Errorf("read request record: %w", err)
	}
	r.Time = fromNanos(timeNS)
	f.Kind = workload.Kind(kind)
	r.CPU, r.Wall = durationNS(cpu), durationNS(wal)
	r.Outcome = metrics.Outcome(outcome)
	r.Role = metrics.Role(role)
	return r, nil
}

// AppendRequests stores a batch of request records in one transaction.
func (s *Store) AppendRequests(ctx context.Context, recs []metrics.RequestRecord) error {
	return requests.appendAll(ctx, s, recs)
}

// Requests returns the request records the query selects, newest first.
func (s *Store) Requests(ctx context.Context, q metrics.RequestQuery) ([]metrics.RequestRecord, error) {
	var w where
	w.eq("workload", string(q.Workload))
	w.eq("input_hash", q.InputHash)
	w.eq("worker_id", q.WorkerID)
	w.eq("request_id", q.RequestID)
	w.eq("client_request_id", q.ClientRequestID)
	w.in("role", q.Roles)
	w.timeRange("time_ns", q.Since, q.Until)
	return requests.query(ctx, s, q, &w, q.Limit)
}
