package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
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
