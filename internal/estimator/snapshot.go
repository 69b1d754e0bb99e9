package estimator

import (
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// Snapshot is the model's state, for the load balancer's state API and
// metrics. It encodes to JSON (no NaN or Inf values).
type Snapshot struct {
	Workloads []WorkloadSnapshot `json:"workloads"`
	// MemoryCapacity is the exact memory's bound (0: disabled).
	MemoryCapacity int `json:"memory_capacity"`
}

// WorkloadSnapshot is one workload's part of a Snapshot.
type WorkloadSnapshot struct {
	Workload workload.Kind `json:"workload"`
	// Samples is how many samples the current fit uses (at most the window).
	Samples int `json:"samples"`
	// Observed counts every sample learnt since start.
	Observed int64 `json:"observed"`
	// MAPE over the last MAPESamples predictions (see Model.Accuracy).
	MAPE        float64 `json:"mape"`
	MAPESamples int     `json:"mape_samples"`
	// ResidualLogSigma is the log-space error used for the interval and the
	// confidence (the prior's until samples arrive).
	ResidualLogSigma float64 `json:"residual_log_sigma"`
	// Intercept and Coefficients express the fitted correction of the prior:
	// log1p(units) ≈ log1p(prior) + Intercept + Σ Coefficients[name]·feature,
	// on raw features named as in the map (features constant over the
	// window are absent).
	Intercept    float64            `json:"intercept"`
	Coefficients map[string]float64 `json:"coefficients"`
	// Sources is the MAPE of the recent predictions by where they came
	// from (SourcePrior, SourceModel, SourceProbe, SourceMemory); a source
	// with no prediction is absent.
	Sources map[string]SourceScore `json:"sources"`
	// ProbeSamples is how many probed samples the probe's correction is
	// fitted on, and ProbeLogSigma its log-space error.
	ProbeSamples  int     `json:"probe_samples"`
	ProbeLogSigma float64 `json:"probe_log_sigma"`
	// MemoryEntries is how many of the workload's inputs the exact memory
	// holds.
	MemoryEntries int `json:"memory_entries"`
	// Latest is the time of the newest sample learnt.
	Latest time.Time `json:"latest,omitzero"`
}

// SourceScore is the accuracy of one source's recent predictions.
type SourceScore struct {
	MAPE    float64 `json:"mape"`
	Samples int     `json:"samples"`
}

// Snapshot returns a copy of the model's state.
func (m *Model) Snapshot() Snapshot {
	s := Snapshot{MemoryCapacity: 0}
	if m.mem != nil {
		s.MemoryCapacity = m.opts.MemorySize
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, k := range workload.Kinds {
		l := m.learners[k]
		w := WorkloadSnapshot{
			Workload:         k,
			Samples:          l.fit.n,
			Observed:         m.observed[k],
			ResidualLogSigma: l.fit.sEff,
			Coefficients:     map[string]float64{},
			Latest:           m.latest[k],
		}
		w.MAPE, w.MAPESamples = m.acc[k].mape()
		w.Sources = map[string]SourceScore{}
		for _, src := range Sources {
			if mape, n := m.accBy[sourceKey{k, src}].mape(); n > 0 {
				w.Sources[src] = SourceScore{MAPE: mape, Samples: n}
			}
		}
		w.ProbeSamples, w.ProbeLogSigma = m.probed[k].fit.n, m.probed[k].fit.sEff
		intercept, slopes := l.fit.rawCoefficients()
		w.Intercept = intercept
		names := featureNames[k]
		for i, name := range names {
			if name != "" && l.fit.sigma[i] != 0 {
				w.Coefficients[name] = slopes[i]
			}
		}
		if m.mem != nil {
			w.MemoryEntries = m.mem.size(k)
		}
		s.Workloads = append(s.Workloads, w)
	}
	return s
}
