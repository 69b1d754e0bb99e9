package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

const (
	insertDecision = `INSERT OR REPLACE INTO decisions
		(time_ns, policy, action, from_n, to_n, worker_id, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	selectDecisions = `SELECT time_ns, policy, action, from_n, to_n, worker_id, reason FROM decisions`
)

func scanDecision(rows *sql.Rows) (metrics.Decision, error) {
	var (
		d      metrics.Decision
		timeNS int64
		action string
	)
	if err := rows.Scan(&timeNS, &d.Policy, &action, &d.From, &d.To, &d.WorkerID, &d.Reason); err != nil {
		return d, fmt.Errorf("read decision: %w", err)
	}
	var err error
	if d.Action, err = lifecycle.ParseAction(action); err != nil {
		return d, fmt.Errorf("read decision: action: %w", err)
	}
	d.Time = fromNanos(timeNS)
	return d, nil
}

// AppendDecisions stores a batch of autoscaling decisions in one
// transaction.
func (s *Store) AppendDecisions(ctx context.Context, decisions []metrics.Decision) error {
	const op = "append decisions"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	if len(decisions) == 0 {
		return nil
	}
	if err := metrics.ValidateDecisions(decisions); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return s.write(ctx, op, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, insertDecision)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, d := range decisions {
			if _, err := stmt.ExecContext(ctx, d.Time.UnixNano(), d.Policy, d.Action.String(),
				d.From, d.To, d.WorkerID, d.Reason); err != nil {
				return fmt.Errorf("decision of %s at %v: %w", d.Policy, d.Time, err)
			}
		}
		return nil
	})
}

// Decisions returns the decisions the query selects, newest first.
func (s *Store) Decisions(ctx context.Context, q metrics.DecisionQuery) ([]metrics.Decision, error) {
	const op = "query decisions"
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var w where
	w.timeRange("time_ns", q.Since, q.Until)
	return query(ctx, s, op, selectDecisions, &w, "time_ns DESC, policy DESC", q.Limit, scanDecision)
}
