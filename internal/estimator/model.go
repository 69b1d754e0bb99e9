package estimator

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

const (
	// memoryConfidence is the confidence of a remembered cost when every
	// time the input was seen it cost the same (work units are
	// deterministic); memoryMixedConfidence when the costs seen differed.
	memoryConfidence      = 0.99
	memoryMixedConfidence = 0.9
	// intervalSigmas is the half-width of Cost's interval in log-space
	// standard deviations.
	intervalSigmas = 2
	// trainChunk is how many samples Train learns per hold of the lock,
	// so estimates are not blocked for long by a large batch.
	trainChunk = 256
)

// Sample is one completed request, as recorded in the metrics store.
type Sample struct {
	Features workload.Features
	Units    float64
	Time     time.Time
}

// Model predicts request costs and learns from actual ones. It is safe for
// concurrent use.
type Model struct {
	opts  Options
	mem   *memory // nil when disabled
	costs *UnitCosts

	mu       sync.RWMutex
	learners map[workload.Kind]*learner
	probed   map[workload.Kind]*learner // corrections of probe estimates
	acc      map[workload.Kind]*accuracy
	accBy    map[sourceKey]*accuracy // per workload and source
	observed map[workload.Kind]int64
	latest   map[workload.Kind]time.Time // newest sample time learnt (for Snapshot)
}

// New returns a model that knows only the priors. Fields of o that are zero
// or invalid take their defaults; call o.Validate to report invalid ones.
func New(o Options) *Model {
	o = o.withDefaults()
	m := &Model{
		opts:     o,
		learners: make(map[workload.Kind]*learner, len(workload.Kinds)),
		probed:   make(map[workload.Kind]*learner, len(workload.Kinds)),
		acc:      make(map[workload.Kind]*accuracy, len(workload.Kinds)),
		accBy:    make(map[sourceKey]*accuracy),
		observed: make(map[workload.Kind]int64, len(workload.Kinds)),
		latest:   make(map[workload.Kind]time.Time, len(workload.Kinds)),
		costs:    NewUnitCosts(),
	}
	if o.MemorySize > 0 {
		m.mem = newMemory(o.MemorySize, o.MaxHashLen)
	}
	for _, k := range workload.Kinds {
		m.learners[k] = newLearner(o.Window, o.PriorWeight, o.PriorLogSigma)
		m.probed[k] = newLearner(o.Window, o.PriorWeight, o.ProbeLogSigma)
		m.acc[k] = &accuracy{ring: make([]float64, 0, o.AccuracyWindow)}
		for _, src := range Sources {
			m.accBy[sourceKey{k, src}] = &accuracy{ring: make([]float64, 0, o.AccuracyWindow)}
		}
	}
	return m
}

// Options returns the options in effect (defaults filled in).
func (m *Model) Options() Options { return m.opts }

// Estimate predicts what a request with features f will cost, in its
// workload's units and in CPU time on a worker of speed 1 (see UnitCosts).
func (m *Model) Estimate(f workload.Features) Cost {
	c, ok := m.remembered(f)
	if !ok {
		m.mu.RLock()
		c = m.predictLocked(f)
		m.mu.RUnlock()
	}
	c.CPUSeconds = m.costs.CPU(f.Kind, c.Units, 1).Seconds()
	return c
}

// UnitCosts is the model's cost per unit of each workload, which converts
// its predictions into CPU time; ObserveCPU teaches it.
func (m *Model) UnitCosts() *UnitCosts { return m.costs }

// ObserveCPU learns that a request of kind did units of work in cpu time
// (UnitCosts.Observe).
func (m *Model) ObserveCPU(kind workload.Kind, units int64, cpu time.Duration) {
	m.costs.Observe(kind, units, cpu)
}

// remembered answers from the exact memory.
func (m *Model) remembered(f workload.Features) (Cost, bool) {
	if m.mem == nil {
		return Cost{}, false
	}
	e, ok := m.mem.get(f)
	if !ok {
		return Cost{}, false
	}
	conf := memoryConfidence
	if e.low != e.high {
		conf = memoryMixedConfidence
	}
	return Cost{Units: e.units, Low: e.low, High: e.high, Confidence: conf, Source: SourceMemory}, true
}

// predictLocked is the base (the probe's estimate if f has one, else the
// prior) corrected by its fit; m.mu must be held.
func (m *Model) predictLocked(f workload.Features) Cost {
	base, l, sigma, probed := m.baseLocked(f)
	if l == nil || l.fit.n == 0 {
		if probed {
			return m.cost(base, sigma, 0, SourceProbe)
		}
		return m.cost(base, sigma, 0, SourcePrior)
	}
	units := math.Expm1(math.Log1p(base) + l.fit.adjust(features(f)))
	if probed {
		return m.cost(units, l.fit.sEff, l.fit.n, SourceProbe)
	}
	return m.cost(units, l.fit.sEff, l.fit.n, SourceModel)
}

// baseLocked is what f's prediction starts from, the learner that
// corrects it, and its assumed log-space error: the probe's estimate and
// the probe learner when f was probed, else the prior and the workload's
// learner. m.mu must be held.
func (m *Model) baseLocked(f workload.Features) (base float64, l *learner, sigma float64, probed bool) {
	if p := f.ProbeUnits; p > 0 && !math.IsInf(p, 0) {
		return m.clampUnits(p), m.probed[f.Kind], m.opts.ProbeLogSigma, true
	}
	return m.clampUnits(PriorUnits(f, m.opts.Prior)), m.learners[f.Kind], m.opts.PriorLogSigma, false
}

// cost builds a Cost around units with log-space error s after n samples:
// the interval is units·e^(∓2s) and the confidence e^(−s)·(n+1)/(n+1+λ).
func (m *Model) cost(units, s float64, n int, source string) Cost {
	units = m.clampUnits(units)
	spread := math.Exp(intervalSigmas * s)
	lambda := m.opts.PriorWeight
	conf := math.Exp(-s) * float64(n+1) / (float64(n+1) + lambda)
	return Cost{
		Units:      units,
		Low:        units / spread,
		High:       m.clampUnits(units * spread),
		Confidence: max(0, min(1, conf)),
		Source:     source,
	}
}

func (m *Model) clampUnits(u float64) float64 {
	switch {
	case !(u > 0): // also NaN
		return 0
	case u > m.opts.MaxUnits:
		return m.opts.MaxUnits
	}
	return u
}

// Observe learns that a request with features f, completed at now, cost
// actualUnits. Before learning, it scores what Estimate would have said
// (see Accuracy). Values that are negative, NaN or infinite, and unknown
// workloads, are ignored.
func (m *Model) Observe(now time.Time, f workload.Features, actualUnits float64) {
	if !validUnits(actualUnits) || m.learners[f.Kind] == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.observeLocked(now, f, actualUnits)
}

func validUnits(u float64) bool { return u >= 0 && !math.IsInf(u, 0) }

// observeLocked scores and learns one sample; m.mu must be held for writing.
func (m *Model) observeLocked(now time.Time, f workload.Features, actual float64) {
	pred, ok := m.remembered(f)
	if !ok {
		pred = m.predictLocked(f)
	}
	ape := math.Abs(pred.Units-actual) / max(actual, 1)
	m.acc[f.Kind].add(ape)
	if a := m.accBy[sourceKey{f.Kind, pred.Source}]; a != nil {
		a.add(ape)
	}

	// Every sample teaches the correction of the prior; a probed one
	// also that of the probe.
	logActual := math.Log1p(m.clampUnits(actual))
	x := features(f)
	prior := m.clampUnits(PriorUnits(f, m.opts.Prior))
	m.learners[f.Kind].add(x, logActual-math.Log1p(prior), m.opts.PriorWeight, m.opts.PriorLogSigma)
	if base, l, sigma, probed := m.baseLocked(f); probed {
		l.add(x, logActual-math.Log1p(base), m.opts.PriorWeight, sigma)
	}
	if m.mem != nil {
		m.mem.put(f, actual)
	}
	m.observed[f.Kind]++
	if now.After(m.latest[f.Kind]) {
		m.latest[f.Kind] = now
	}
}

// Train learns samples from history (the metrics store) in time order and
// returns how many it learnt. Samples with invalid units or an unknown
// workload are skipped; every other one is learnt, so a caller that feeds
// overlapping batches must leave out the samples it passed before (the
// load balancer does so by record ID). Like Observe, each sample is first
// scored for Accuracy. A large batch is learnt in chunks so that estimates
// are not held up for long.
func (m *Model) Train(samples []Sample) int {
	sorted := slices.Clone(samples)
	slices.SortStableFunc(sorted, func(a, b Sample) int { return a.Time.Compare(b.Time) })
	learnt := 0
	for start := 0; start < len(sorted); start += trainChunk {
		chunk := sorted[start:min(start+trainChunk, len(sorted))]
		m.mu.Lock()
		for _, s := range chunk {
			if !validUnits(s.Units) || m.learners[s.Features.Kind] == nil {
				continue
			}
			m.observeLocked(s.Time, s.Features, s.Units)
			learnt++
		}
		m.mu.Unlock()
	}
	return learnt
}

// Accuracy is the mean absolute percentage error (0.25 = 25 %) of the
// predictions for the most recent samples of a workload, each scored when it
// was learnt against what Estimate said just before, and how many samples
// that is (at most Options.AccuracyWindow; 0 with mape 0 when none).
func (m *Model) Accuracy(kind workload.Kind) (mape float64, n int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.acc[kind]
	if a == nil {
		return 0, 0
	}
	return a.mape()
}

// sourceKey names the predictions of one workload from one source.
type sourceKey struct {
	kind   workload.Kind
	source string
}

// SourceAccuracy is Accuracy over the predictions of a workload that came
// from source (SourcePrior, SourceModel, SourceProbe or SourceMemory).
func (m *Model) SourceAccuracy(kind workload.Kind, source string) (mape float64, n int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.accBy[sourceKey{kind, source}]
	if a == nil {
		return 0, 0
	}
	return a.mape()
}
