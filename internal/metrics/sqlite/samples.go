package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

// workerSamples is the table of worker samples, one row per worker and
// time.
var workerSamples = newTable(table[metrics.WorkerSample]{
	name: "worker_samples", noun: "worker samples",
	columns:  []string{"worker_id", "time_ns", "address", "cpu_percent", "memory_bytes", "in_flight", "health"},
	order:    "time_ns DESC, worker_id DESC",
	validate: metrics.ValidateWorkerSamples,
	args: func(w *metrics.WorkerSample) []any {
		return []any{w.WorkerID, w.Time.UnixNano(), w.Address, w.CPUPercent, memoryInt(w.MemoryBytes), w.InFlight, w.Health.String()}
	},
	scan: scanSample,
	describe: func(w *metrics.WorkerSample) string {
		return fmt.Sprintf("worker sample %s at %v", w.WorkerID, w.Time)
	},
})

func scanSample(rows *sql.Rows) (metrics.WorkerSample, error) {
	var (
		w           metrics.WorkerSample
		timeNS, mem int64
		health      string
	)
	if err := rows.Scan(&w.WorkerID, &timeNS, &w.Address, &w.CPUPercent, &mem, &w.InFlight, &health); err != nil {
		return w, fmt.Errorf("read worker sample: %w", err)
	}
	if mem < 0 {
		return w, fmt.Errorf("read worker sample: negative memory_bytes %d", mem)
	}
	var err error
	if w.Health, err = lifecycle.ParseState(health); err != nil {
		return w, fmt.Errorf("read worker sample: health: %w", err)
	}
	w.Time, w.MemoryBytes = fromNanos(timeNS), uint64(mem)
	return w, nil
}

// AppendWorkerSamples stores a batch of worker samples in one transaction.
func (s *Store) AppendWorkerSamples(ctx context.Context, samples []metrics.WorkerSample) error {
	return workerSamples.appendAll(ctx, s, samples)
}

// WorkerSamples returns the worker samples the query selects, newest first.
func (s *Store) WorkerSamples(ctx context.Context, q metrics.WorkerQuery) ([]metrics.WorkerSample, error) {
	var w where
	w.eq("worker_id", q.WorkerID)
	w.timeRange("time_ns", q.Since, q.Until)
	return workerSamples.query(ctx, s, q, &w, q.Limit)
}
