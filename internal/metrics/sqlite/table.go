package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
)

// table is how one record kind is stored: its table, its columns, and the
// conversions between a record and a row. Every kind is appended and
// queried the same way, by appendAll and query.
type table[T any] struct {
	name    string   // the SQL table
	noun    string   // the records in operation names: "append " + noun
	columns []string // in the order of args and scan
	order   string   // ORDER BY of queries: newest first, ties in a fixed order

	validate func([]T) error            // metrics' check of a batch
	args     func(*T) []any             // a record's values, in column order
	scan     func(*sql.Rows) (T, error) // a row's record
	describe func(*T) string            // names a record in errors

	insert, sel string // the INSERT and SELECT statements, set by newTable
}

// newTable completes t with its statements.
func newTable[T any](t table[T]) *table[T] {
	cols := strings.Join(t.columns, ", ")
	// Append-only: a record whose identity is stored already (a re-sent
	// batch) leaves the stored one as it is.
	t.insert = "INSERT INTO " + t.name + " (" + cols + ") VALUES (" + placeholders(len(t.columns)) + ") ON CONFLICT DO NOTHING"
	t.sel = "SELECT " + cols + " FROM " + t.name
	return &t
}

// appendAll validates recs and stores them in one transaction.
func (t *table[T]) appendAll(ctx context.Context, s *Store, recs []T) error {
	op := "append " + t.noun
	if err := s.check(ctx, op); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	if err := t.validate(recs); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, t.insert)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range recs {
			if _, err := stmt.ExecContext(ctx, t.args(&recs[i])...); err != nil {
				return fmt.Errorf("%s: %w", t.describe(&recs[i]), err)
			}
		}
		return nil
	})
}

// query validates q and returns the records w selects, newest first, at
// most limit (metrics.EffectiveLimit).
func (t *table[T]) query(ctx context.Context, s *Store, q interface{ Validate() error }, w *where, limit int) ([]T, error) {
	op := "query " + t.noun
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := []T{}
	if w.empty {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, t.sel+w.String()+" ORDER BY "+t.order+" LIMIT ?", append(w.args, metrics.EffectiveLimit(limit))...)
	if err != nil {
		return nil, s.wrap(ctx, op, err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := t.scan(rows)
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

// placeholders is n comma-separated "?".
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

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

// eq adds col = v, unless v is empty (no filter).
func (w *where) eq(col, v string) {
	if v != "" {
		w.add(col+" = ?", v)
	}
}

// in adds col IN (vs...), unless vs is empty (no filter).
func (w *where) in(col string, vs []metrics.Role) {
	if len(vs) == 0 {
		return
	}
	w.conds = append(w.conds, col+" IN ("+placeholders(len(vs))+")")
	for _, v := range vs {
		w.args = append(w.args, string(v))
	}
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
