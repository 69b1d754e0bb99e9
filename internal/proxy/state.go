package proxy

import (
	"net/http"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/workload"
)

// State is the JSON document GET /api/v1/state serves.
type State struct {
	Time     time.Time `json:"time"`
	Uptime   float64   `json:"uptime_s"`
	Policy   string    `json:"policy"`
	Provider string    `json:"provider,omitempty"`
	// Routing is the routing policy's own state: how far the cost policy
	// trusts its predictions.
	Routing RoutingState `json:"routing"`
	Snapshot
	Estimator EstimatorState `json:"estimator"`
	// Memory is the load balancer's memory budget and what requests hold
	// of it.
	Memory MemoryState `json:"memory"`
	// Decisions are the last routed requests, newest first.
	Decisions []Decision `json:"decisions"`
	// Autoscaler is the autoscaler's state when one drives the pool (see
	// Server.SetAutoscaler).
	Autoscaler any `json:"autoscaler,omitempty"`
}

// RoutingState is the routing policy's part of State.
type RoutingState struct {
	Name string `json:"name"`
	// Trust in [0, 1] is how far the policy follows its predictions: 1
	// fully, 0 not at all (the cost policy then ranks as least-requests).
	// It is 1 for policies that do not predict.
	Trust float64 `json:"trust"`
	// Drift is how the observed service of completed requests compares
	// with the predicted one; absent for policies that do not track it.
	Drift *DriftState `json:"drift,omitempty"`
}

// DriftState is the cost policy's drift tracking (balancer.DriftState).
type DriftState struct {
	// Bias is the moving mean of ln(observed/predicted): a constant bias
	// does not lower the trust.
	Bias float64 `json:"bias"`
	// Error is the moving mean of |ln(observed/predicted) − bias|, the
	// scatter the trust falls with.
	Error float64 `json:"error"`
	// Samples counts the completions observed.
	Samples int64 `json:"samples"`
	// BelowFullTrustSince is when the trust fell below 1; absent while it
	// is 1.
	BelowFullTrustSince *time.Time `json:"below_full_trust_since,omitempty"`
}

// routingState reads the routing policy's state.
func (s *Server) routingState() RoutingState {
	rs := RoutingState{Name: s.cfg.Policy, Trust: 1}
	dr, ok := s.pool.policy.(balancer.DriftReporter)
	if !ok {
		return rs
	}
	d := dr.DriftState()
	rs.Trust = d.Trust
	rs.Drift = &DriftState{Bias: d.Bias, Error: d.Error, Samples: d.Observations}
	if !d.Since.IsZero() {
		rs.Drift.BelowFullTrustSince = &d.Since
	}
	return rs
}

// SetAutoscaler makes the state API show what f returns as "autoscaler".
// f must be safe for concurrent use.
func (s *Server) SetAutoscaler(f func() any) { s.autoscaler.Store(&f) }

// EstimatorState is the cost model's part of State.
type EstimatorState struct {
	// Accuracy is the MAPE per workload over the model's recent
	// predictions.
	Accuracy map[workload.Kind]Accuracy `json:"accuracy"`
	// UnitCosts are the learnt CPU costs of one unit of each workload;
	// the pool's work (predicted_left, queue, speeds) is in ray-tracer
	// equivalent units.
	UnitCosts map[workload.Kind]UnitCost `json:"unit_costs"`
	Model     *estimator.Snapshot        `json:"model,omitempty"`
}

// Accuracy is one workload's prediction error.
type Accuracy struct {
	MAPE    float64 `json:"mape"`
	Samples int     `json:"samples"`
	// Sources splits it by where the predictions came from (prior,
	// model, probe, memory); sources with no prediction are absent.
	Sources map[string]Accuracy `json:"sources,omitempty"`
}

// sourceAccuracyReporter is implemented by estimators that track their
// error per prediction source (estimator.Model).
type sourceAccuracyReporter interface {
	SourceAccuracy(kind workload.Kind, source string) (mape float64, n int)
}

// sourceAccuracy is the estimator's error per source for kind, nil when
// it does not track it.
func sourceAccuracy(e Estimator, kind workload.Kind) map[string]Accuracy {
	sa, ok := e.(sourceAccuracyReporter)
	if !ok {
		return nil
	}
	out := map[string]Accuracy{}
	for _, src := range estimator.Sources {
		if m, n := sa.SourceAccuracy(kind, src); n > 0 {
			out[src] = Accuracy{MAPE: m, Samples: n}
		}
	}
	return out
}

// snapshotter is implemented by estimators that describe themselves
// (estimator.Model).
type snapshotter interface {
	Snapshot() estimator.Snapshot
}

// State returns what GET /api/v1/state serves.
func (s *Server) State() State {
	snap := s.pool.Snapshot()
	st := State{
		Time: snap.Time, Uptime: snap.Time.Sub(s.started).Seconds(),
		Policy: s.cfg.Policy, Provider: s.provider, Snapshot: snap,
		Estimator: EstimatorState{Accuracy: map[workload.Kind]Accuracy{}, UnitCosts: s.costs.Snapshot()},
		Decisions: s.decisions.recent(),
		Memory:    s.memoryState(),
		Routing:   s.routingState(),
	}
	if f := s.autoscaler.Load(); f != nil {
		st.Autoscaler = (*f)()
	}
	if acc, ok := s.est.(accuracyReporter); ok {
		for _, k := range workload.Kinds {
			m, n := acc.Accuracy(k)
			st.Estimator.Accuracy[k] = Accuracy{MAPE: m, Samples: n, Sources: sourceAccuracy(s.est, k)}
		}
	}
	if sn, ok := s.est.(snapshotter); ok {
		m := sn.Snapshot()
		st.Estimator.Model = &m
	}
	return st
}

func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	writeJSON(w, http.StatusOK, s.State())
}
