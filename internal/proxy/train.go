package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// History reads past request records (metrics.Store's Requests query).
type History interface {
	Requests(ctx context.Context, q metrics.RequestQuery) ([]metrics.RequestRecord, error)
}

// Estimator predicts a request's work units and learns from what requests
// actually cost (estimator.Model).
type Estimator interface {
	Estimate(f workload.Features) estimator.Cost
	Observe(now time.Time, f workload.Features, actualUnits float64)
	Train(samples []estimator.Sample) int
}

// trainer feeds the estimator (and the unit costs) the records of
// successful runs on workers (attempt and direct records) the store gained
// since it last looked, skipping the requests the load balancer already
// learnt from as it relayed them.
type trainer struct {
	hist  History
	est   Estimator
	limit int
	seen  *idSet
	costs *estimator.UnitCosts // nil: not learnt from the store
	log   *slog.Logger

	mu    sync.Mutex
	since map[workload.Kind]time.Time
}

func newTrainer(h History, e Estimator, limit int, seen *idSet, log *slog.Logger) *trainer {
	return &trainer{hist: h, est: e, limit: limit, seen: seen, log: log, since: map[workload.Kind]time.Time{}}
}

// once reads each workload's records newer than the last ones read (at
// most limit, newest first) and trains the estimator on those it has not
// learnt from. It returns how many samples it learnt.
func (t *trainer) once(ctx context.Context) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	total := 0
	for _, k := range workload.Kinds {
		q := metrics.RequestQuery{Workload: k, Since: t.since[k], Roles: metrics.AttemptRoles, Limit: t.limit}
		recs, err := t.hist.Requests(ctx, q)
		if err != nil {
			return total, fmt.Errorf("read %s records: %w", k, err)
		}
		samples := make([]estimator.Sample, 0, len(recs))
		for _, r := range slices.Backward(recs) { // oldest first
			if r.Time.After(t.since[k]) {
				t.since[k] = r.Time
			}
			if r.Outcome != metrics.OutcomeOK || r.Units <= 0 || r.Features.Kind != k || !t.seen.add(r.RequestID) {
				continue
			}
			if t.costs != nil {
				t.costs.Observe(k, r.Units, r.CPU)
			}
			samples = append(samples, estimator.Sample{Features: r.Features, Units: float64(r.Units), Time: r.Time})
		}
		if len(samples) > 0 {
			total += t.est.Train(samples)
		}
	}
	return total, nil
}

// run trains at once and then every interval until ctx ends.
func (t *trainer) run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		n, err := t.once(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			t.log.Warn("cost model training failed", "err", err)
		case n > 0:
			t.log.Info("cost model trained from the store", "samples", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// idSet remembers the last cap IDs added.
type idSet struct {
	mu   sync.Mutex
	set  map[string]struct{}
	ring []string
	next int
}

func newIDSet(capacity int) *idSet {
	return &idSet{set: make(map[string]struct{}, capacity), ring: make([]string, capacity)}
}

// add records id and reports whether it was new. Empty IDs are always new
// and not remembered.
func (s *idSet) add(id string) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.set[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.set, old)
	}
	s.ring[s.next] = id
	s.set[id] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
	return true
}
