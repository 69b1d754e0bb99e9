package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
)

// Store is a metrics.Store in one SQLite file.
type Store struct {
	db     *sql.DB
	path   string
	closed atomic.Bool
	// wlock serialises this process's write transactions, so that they
	// queue here, cancellably, rather than in SQLite's sleeping busy
	// handler; other processes still wait in the busy handler.
	wlock chan struct{}
}

var _ metrics.Store = (*Store)(nil)

// Path is the file the store was opened with.
func (s *Store) Path() string { return s.path }

// Close closes the file. It is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close sqlite store %s: %w", s.path, err)
	}
	return nil
}

// check returns the error every method returns on a closed store or a done
// context.
func (s *Store) check(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", op, metrics.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// write runs fn in one write transaction.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	select {
	case s.wlock <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	defer func() { <-s.wlock }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(ctx, op, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return s.wrap(ctx, op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(ctx, op, err)
	}
	return nil
}

// wrap names the operation and, when the context ended or the store was
// closed meanwhile, makes that the error's cause.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %w (%w)", op, metrics.ErrClosed, err)
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// where builds a WHERE clause from conditions.
type where struct {
	conds []string
	args  []any
	empty bool // the query can match nothing
}

func (w *where) add(cond string, arg any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, arg)
}

// timeRange adds since <= time_ns < until, where zero bounds are open and
// bounds beyond the representable range are handled exactly.
func (w *where) timeRange(col string, since, until time.Time) {
	if !since.IsZero() && since.After(metrics.MinTime) {
		if since.After(metrics.MaxTime) {
			w.empty = true
		} else {
			w.add(col+" >= ?", since.UnixNano())
		}
	}
	if !until.IsZero() && !until.After(metrics.MaxTime) {
		if !until.After(metrics.MinTime) {
			w.empty = true
		} else {
			w.add(col+" < ?", until.UnixNano())
		}
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// query runs a SELECT with the where clause, order and limit, scanning each
// row with scan.
func query[T any](ctx context.Context, s *Store, op, sel string, w *where, order string, limit int, scan func(*sql.Rows) (T, error)) ([]T, error) {
	out := []T{}
	if w.empty {
		return out, nil
	}
	limit = metrics.EffectiveLimit(limit)
	rows, err := s.db.QueryContext(ctx, sel+w.String()+" ORDER BY "+order+" LIMIT ?", append(w.args, limit)...)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.wrap(ctx, op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	return out, nil
}

func fromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// memoryInt converts a validated memory size (at most math.MaxInt64).
func memoryInt(b uint64) int64 { return int64(min(b, math.MaxInt64)) }

func durationNS(ns int64) time.Duration { return time.Duration(ns) }
