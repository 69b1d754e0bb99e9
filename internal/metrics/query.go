package metrics

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// Query limits.
const (
	// DefaultLimit is the number of records a query with Limit 0 returns
	// at most.
	DefaultLimit = 1000
	// MaxLimit is the largest Limit a query may ask for; page through more
	// records by moving Until back to the oldest time returned.
	MaxLimit = 100_000
)

// InRange reports whether since <= t < until, where a zero bound is open:
// the time range every query selects.
func InRange(t, since, until time.Time) bool {
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || t.Before(until))
}

func checkRange(since, until time.Time) error {
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		return fmt.Errorf("until (%v) is before since (%v)", until, since)
	}
	return nil
}

// RequestQuery selects request records. Zero fields do not filter.
type RequestQuery struct {
	Workload        workload.Kind // "" = every workload
	Since           time.Time     // inclusive; zero = open
	Until           time.Time     // exclusive; zero = open
	InputHash       string
	WorkerID        string
	RequestID       string // one request's records: its attempts and final outcome
	ClientRequestID string // the records of requests the client sent with this X-Request-Id
	Roles           []Role // records of these roles; empty = every role
	Limit           int    // 0 = DefaultLimit; at most MaxLimit
}

// AttemptRoles are the roles of records that describe a run on a worker,
// with its measured cost: what the cost model learns from.
var AttemptRoles = []Role{RoleAttempt, RoleDirect}

// OutcomeRoles are the roles of records that say what the client got.
var OutcomeRoles = []Role{RoleFinal, RoleDirect}

// WorkerQuery selects worker samples. Zero fields do not filter.
type WorkerQuery struct {
	WorkerID string
	Since    time.Time // inclusive; zero = open
	Until    time.Time // exclusive; zero = open
	Limit    int       // 0 = DefaultLimit; at most MaxLimit
}

// DecisionQuery selects autoscaling decisions. Zero fields do not filter.
type DecisionQuery struct {
	Since time.Time // inclusive; zero = open
	Until time.Time // exclusive; zero = open
	Limit int       // 0 = DefaultLimit; at most MaxLimit
}

// Validate reports every problem of the query, joined and wrapping
// ErrInvalidQuery.
func (q RequestQuery) Validate() error {
	var errs []error
	if q.Workload != "" && !slices.Contains(workload.Kinds, q.Workload) {
		errs = append(errs, fmt.Errorf("workload: unknown workload %q", q.Workload))
	}
	for _, r := range q.Roles {
		if !slices.Contains(Roles, r) {
			errs = append(errs, fmt.Errorf("roles: unknown role %q", r))
		}
	}
	errs = append(errs, checkRange(q.Since, q.Until), checkLimit(q.Limit))
	return wrapQuery(errs)
}

// Validate reports every problem of the query, joined and wrapping
// ErrInvalidQuery.
func (q WorkerQuery) Validate() error {
	return wrapQuery([]error{checkRange(q.Since, q.Until), checkLimit(q.Limit)})
}

// Validate reports every problem of the query, joined and wrapping
// ErrInvalidQuery.
func (q DecisionQuery) Validate() error {
	return wrapQuery([]error{checkRange(q.Since, q.Until), checkLimit(q.Limit)})
}

// EffectiveLimit is the number of records a query with this Limit returns
// at most.
func EffectiveLimit(limit int) int {
	if limit == 0 {
		return DefaultLimit
	}
	return limit
}

func checkLimit(limit int) error {
	if limit < 0 || limit > MaxLimit {
		return fmt.Errorf("limit: %d is outside 0..%d", limit, MaxLimit)
	}
	return nil
}

func wrapQuery(errs []error) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidQuery, err)
	}
	return nil
}

// Matches reports whether the query selects r, ignoring the limit.
func (q RequestQuery) Matches(r RequestRecord) bool {
	return (q.Workload == "" || r.Features.Kind == q.Workload) &&
		(q.InputHash == "" || r.Features.InputHash == q.InputHash) &&
		(q.WorkerID == "" || r.WorkerID == q.WorkerID) &&
		(q.RequestID == "" || r.RequestID == q.RequestID) &&
		(q.ClientRequestID == "" || r.ClientRequestID == q.ClientRequestID) &&
		(len(q.Roles) == 0 || slices.Contains(q.Roles, r.Role)) &&
		InRange(r.Time, q.Since, q.Until)
}

// Matches reports whether the query selects s, ignoring the limit.
func (q WorkerQuery) Matches(s WorkerSample) bool {
	return (q.WorkerID == "" || s.WorkerID == q.WorkerID) && InRange(s.Time, q.Since, q.Until)
}

// Matches reports whether the query selects d, ignoring the limit.
func (q DecisionQuery) Matches(d Decision) bool {
	return InRange(d.Time, q.Since, q.Until)
}
