package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

// decisions is the table of autoscaling decisions, one row per policy and
// time.
var decisions = newTable(table[metrics.Decision]{
	name: "decisions", noun: "decisions",
	columns:  []string{"time_ns", "policy", "action", "from_n", "to_n", "worker_id", "reason"},
	order:    "time_ns DESC, policy DESC",
	validate: metrics.ValidateDecisions,
	args: func(d *metrics.Decision) []any {
		return []any{d.Time.UnixNano(), d.Policy, d.Action.String(), d.From, d.To, d.WorkerID, d.Reason}
	},
	scan: scanDecision,
	describe: func(d *metrics.Decision) string {
		return fmt.Sprintf("decision of %s at %v", d.Policy, d.Time)
	},
})

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
func (s *Store) AppendDecisions(ctx context.Context, ds []metrics.Decision) error {
	return decisions.appendAll(ctx, s, ds)
}

// Decisions returns the decisions the query selects, newest first.
func (s *Store) Decisions(ctx context.Context, q metrics.DecisionQuery) ([]metrics.Decision, error) {
	var w where
	w.timeRange("time_ns", q.Since, q.Until)
	return decisions.query(ctx, s, q, &w, q.Limit)
}
