package runner

import (
	"slices"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler/statefile"
)

// Status is the autoscaler's part of the load balancer's state API.
type Status struct {
	Policy string        `json:"policy"`
	Config ConfigSummary `json:"config"`

	// Desired is the latest decision's target pool size, PoolSize the
	// pool size it saw (workers not draining), Panic whether the policy
	// was in panic mode.
	Desired  int  `json:"desired"`
	PoolSize int  `json:"pool_size"`
	Panic    bool `json:"panic"`

	Launching int      `json:"launching"` // workers being launched
	Draining  []string `json:"draining"`  // workers being drained or replaced

	LastEvaluation time.Time `json:"last_evaluation,omitzero"`
	// LastDecision is the latest evaluation's decision (ID 0 when it
	// changed nothing and was not recorded); nil before the first.
	LastDecision *statefile.Decision `json:"last_decision,omitempty"`
	// Decisions are the latest recorded decisions, newest first.
	Decisions []statefile.Decision `json:"recent_decisions"`

	Counts Counts `json:"counts"`
}

// ConfigSummary is the configuration Status shows.
type ConfigSummary struct {
	Min               int     `json:"min"`
	Max               int     `json:"max"`
	TargetUtilization float64 `json:"target_utilization"`
	Interval          string  `json:"interval"`
	StableWindow      string  `json:"stable_window"`
	PanicWindow       string  `json:"panic_window"`
	ScaleDownDelay    string  `json:"scale_down_delay"`
	BootTime          string  `json:"boot_time"`
	DrainTimeout      string  `json:"drain_timeout"`
	StateDir          string  `json:"state_dir,omitempty"`
}

// Snapshot returns the autoscaler's state. It is safe for concurrent use.
func (r *Runner) Snapshot() Status {
	c := &r.cfg // Min and Max change under r.mu: read through bounds
	lo, hi := r.bounds()
	st := Status{
		Policy: c.Policy,
		Config: ConfigSummary{
			Min: lo, Max: hi, TargetUtilization: c.TargetUtilization,
			Interval: c.Interval.String(), StableWindow: c.StableWindow.String(),
			PanicWindow: c.PanicWindow.String(), ScaleDownDelay: c.ScaleDownDelay.String(),
			BootTime: c.BootTime.String(), DrainTimeout: r.loop.DrainTimeout.String(),
			StateDir: r.loop.StateDir,
		},
		Draining: []string{},
	}
	ds := r.decisions.Decisions()
	n := min(len(ds), r.recent)
	st.Decisions = make([]statefile.Decision, 0, n)
	for i := len(ds) - 1; i >= len(ds)-n; i-- {
		st.Decisions = append(st.Decisions, withWorkers(ds[i]))
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last != nil {
		last := withWorkers(*r.last)
		st.LastDecision = &last
		st.Desired, st.PoolSize, st.Panic = last.To, last.From, last.Panic
	}
	st.LastEvaluation = r.lastEval
	st.Launching = r.outstanding
	for id := range r.busy {
		st.Draining = append(st.Draining, id)
	}
	slices.SortFunc(st.Draining, strings.Compare)
	st.Counts = r.counts
	return st
}

// withWorkers gives d an empty list of workers rather than none, so JSON
// shows [] rather than null.
func withWorkers(d statefile.Decision) statefile.Decision {
	if d.Workers == nil {
		d.Workers = []string{}
	}
	return d
}
