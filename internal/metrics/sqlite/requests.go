package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// requestColumns are the requests table's columns in the order of
// requestArgs and scanRequest.
var requestColumns = []string{
	"id", "time_ns", "workload",
	"scols", "srows", "wcols", "wrows", "coff", "roff", "aa",
	"shapes", "lights", "reflective", "transparent", "texmap_bytes", "scene_bytes",
	"width", "height", "format", "input_bytes", "input_hash",
	"multi", "units", "cpu_ns", "wall_ns", "worker_id", "outcome", "status", "error",
	"predicted_units",
}

var (
	insertRequest = "INSERT OR REPLACE INTO requests (" + strings.Join(requestColumns, ", ") +
		") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(requestColumns)), ", ") + ")"
	selectRequests = "SELECT " + strings.Join(requestColumns, ", ") + " FROM requests"
)

func requestArgs(r *metrics.RequestRecord) []any {
	f := &r.Features
	return []any{
		r.ID, r.Time.UnixNano(), string(f.Kind),
		f.SCols, f.SRows, f.WCols, f.WRows, f.COff, f.ROff, boolInt(f.AA),
		f.Shapes, f.Lights, f.Reflective, f.Transparent, f.TexmapBytes, f.SceneBytes,
		f.Width, f.Height, f.Format, f.InputBytes, f.InputHash,
		boolInt(r.Multi), r.Units, int64(r.CPU), int64(r.Wall), r.WorkerID, string(r.Outcome), r.Status, r.Error,
		r.PredictedUnits,
	}
}

func scanRequest(rows *sql.Rows) (metrics.RequestRecord, error) {
	var (
		r                metrics.RequestRecord
		f                = &r.Features
		timeNS, cpu, wal int64
		kind, outcome    string
	)
	err := rows.Scan(
		&r.ID, &timeNS, &kind,
		&f.SCols, &f.SRows, &f.WCols, &f.WRows, &f.COff, &f.ROff, &f.AA,
		&f.Shapes, &f.Lights, &f.Reflective, &f.Transparent, &f.TexmapBytes, &f.SceneBytes,
		&f.Width, &f.Height, &f.Format, &f.InputBytes, &f.InputHash,
		&r.Multi, &r.Units, &cpu, &wal, &r.WorkerID, &outcome, &r.Status, &r.Error,
		&r.PredictedUnits,
	)
	if err != nil {
		return r, fmt.Errorf("read request record: %w", err)
	}
	r.Time = fromNanos(timeNS)
	f.Kind = workload.Kind(kind)
	r.CPU, r.Wall = durationNS(cpu), durationNS(wal)
	r.Outcome = metrics.Outcome(outcome)
	return r, nil
}

// AppendRequests stores a batch of request records in one transaction.
func (s *Store) AppendRequests(ctx context.Context, recs []metrics.RequestRecord) error {
	const op = "append requests"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	if err := metrics.ValidateRequests(recs); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, insertRequest)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range recs {
			if _, err := stmt.ExecContext(ctx, requestArgs(&recs[i])...); err != nil {
				return fmt.Errorf("request %q: %w", recs[i].ID, err)
			}
		}
		return nil
	})
}

// Requests returns the request records the query selects, newest first.
func (s *Store) Requests(ctx context.Context, q metrics.RequestQuery) ([]metrics.RequestRecord, error) {
	const op = "query requests"
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var w where
	if q.Workload != "" {
		w.add("workload = ?", string(q.Workload))
	}
	if q.InputHash != "" {
		w.add("input_hash = ?", q.InputHash)
	}
	if q.WorkerID != "" {
		w.add("worker_id = ?", q.WorkerID)
	}
	w.timeRange("time_ns", q.Since, q.Until)
	return query(ctx, s, op, selectRequests, &w, "time_ns DESC, id DESC", q.Limit, scanRequest)
}
