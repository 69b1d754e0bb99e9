package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

const (
	insertSample = `INSERT OR REPLACE INTO worker_samples
		(worker_id, time_ns, address, cpu_percent, memory_bytes, in_flight, health)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectSamples = `SELECT worker_id, time_ns, address, cpu_percent, memory_bytes, in_flight, health
		FROM worker_samples`
)

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
	const op = "append worker samples"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	if len(samples) == 0 {
		return nil
	}
	if err := metrics.ValidateWorkerSamples(samples); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, insertSample)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, w := range samples {
			if _, err := stmt.ExecContext(ctx, w.WorkerID, w.Time.UnixNano(), w.Address,
				w.CPUPercent, memoryInt(w.MemoryBytes), w.InFlight, w.Health.String()); err != nil {
				return fmt.Errorf("worker sample %s at %v: %w", w.WorkerID, w.Time, err)
			}
		}
		return nil
	})
}

// WorkerSamples returns the worker samples the query selects, newest first.
func (s *Store) WorkerSamples(ctx context.Context, q metrics.WorkerQuery) ([]metrics.WorkerSample, error) {
	const op = "query worker samples"
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var w where
	if q.WorkerID != "" {
		w.add("worker_id = ?", q.WorkerID)
	}
	w.timeRange("time_ns", q.Since, q.Until)
	return query(ctx, s, op, selectSamples, &w, "time_ns DESC, worker_id DESC", q.Limit, scanSample)
}
