package balancer

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Defaults of DriftOptions.
const (
	DefaultDriftAlpha    = 0.05
	DefaultBiasAlpha     = 0.3
	DefaultDriftHalfLife = 30 * time.Second
	DefaultDriftGood     = 0.35
	DefaultDriftBad      = 0.8
)

// DriftOptions configure Drift. The zero value of a field means its
// default.
type DriftOptions struct {
	// Alpha in (0, 1] is the weight of one observation in the moving
	// average of the error (default 0.05).
	Alpha float64
	// BiasAlpha in (0, 1] is its weight in the moving mean of
	// ln(observed/predicted), the bias (default 0.3): fast, so that the
	// whole machine slowing down and speeding up again (load from other
	// processes, shared by every worker) is followed by the bias rather
	// than counted as error; a worker whose share changed alone deviates
	// from the others' recent observations.
	BiasAlpha float64
	// HalfLife: after a pause of this long without observations the next
	// one weighs half (default 30 s), so a stale error is forgotten
	// quickly.
	HalfLife time.Duration
	// Good and Bad bound the error, the mean absolute deviation of
	// ln(observed/predicted) from its mean: at Good or below the
	// predictions are fully trusted, at Bad or above not at all, linearly
	// in between (defaults 0.35 and 0.8, about ±40 % and a factor 2.2).
	Good, Bad float64
}

// Validate reports every invalid field.
func (o DriftOptions) Validate() error {
	var errs []error
	if !(o.Alpha >= 0 && o.Alpha <= 1) {
		errs = append(errs, fmt.Errorf("drift alpha: %v is outside (0, 1]", o.Alpha))
	}
	if !(o.BiasAlpha >= 0 && o.BiasAlpha <= 1) {
		errs = append(errs, fmt.Errorf("drift bias alpha: %v is outside (0, 1]", o.BiasAlpha))
	}
	if o.HalfLife < 0 {
		errs = append(errs, fmt.Errorf("drift half-life: %v is negative", o.HalfLife))
	}
	if !(o.Good >= 0) || !(o.Bad >= 0) || math.IsInf(o.Bad, 0) {
		errs = append(errs, fmt.Errorf("drift bounds: good %v and bad %v must be finite and not negative", o.Good, o.Bad))
	} else if o.Bad != 0 && o.Good >= o.Bad {
		errs = append(errs, fmt.Errorf("drift bounds: good %v is not below bad %v", o.Good, o.Bad))
	}
	return errors.Join(errs...)
}

// Drift tracks how well the predicted service of requests matches what
// they turned out to need and turns the error into a trust level in
// [0, 1]. A constant bias
// (every request taking 1.5× its prediction, say) does not lower the
// trust: it does not change which worker is best. Scatter does, the sign
// that learnt speeds or work left have gone stale (a worker's CPU share
// changed). The zero Drift is not usable; use NewDrift. Drift is safe for
// concurrent use.
type Drift struct {
	opts DriftOptions

	mu    sync.Mutex
	bias  float64 // moving mean of ln(observed/predicted)
	err   float64 // moving mean of |ln ratio − bias|
	n     int64
	last  time.Time
	trust float64
	since time.Time // when trust fell below 1; zero while it is 1
}

// NewDrift returns a tracker that trusts fully until told otherwise.
// Fields of o that are zero or invalid take their defaults.
func NewDrift(o DriftOptions) *Drift {
	if !(o.Alpha > 0 && o.Alpha <= 1) {
		o.Alpha = DefaultDriftAlpha
	}
	if !(o.BiasAlpha > 0 && o.BiasAlpha <= 1) {
		o.BiasAlpha = DefaultBiasAlpha
	}
	if o.HalfLife <= 0 {
		o.HalfLife = DefaultDriftHalfLife
	}
	if !(o.Bad > 0) || math.IsInf(o.Bad, 0) || !(o.Good >= 0) || o.Good >= o.Bad {
		o.Good, o.Bad = DefaultDriftGood, DefaultDriftBad
	}
	return &Drift{opts: o, trust: 1}
}

// driftWarmup is how many observations pass before the error counts.
const driftWarmup = 8

// Observe books one completed request: its predicted and observed
// service (see CompletionObserver). Non-positive values are ignored.
func (d *Drift) Observe(now time.Time, predicted, observed time.Duration) {
	if predicted <= 0 || observed <= 0 {
		return
	}
	r := math.Log(observed.Seconds() / predicted.Seconds())
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ab := d.opts.Alpha, d.opts.BiasAlpha
	if d.n > 0 && now.After(d.last) {
		// A pause weighs the new observation more: half after HalfLife.
		p := 1 - math.Exp2(-float64(now.Sub(d.last))/float64(d.opts.HalfLife))
		a, ab = max(a, p), max(ab, p)
	}
	switch {
	case d.n == 0:
		d.bias = r
	case d.n < driftWarmup:
		// Plain means while the averages have few samples.
		k := float64(d.n + 1)
		d.bias += (r - d.bias) / k
		d.err += (math.Abs(r-d.bias) - d.err) / k
	default:
		// The error is the deviation from the bias before this
		// observation moved it.
		dev := math.Abs(r - d.bias)
		d.bias += ab * (r - d.bias)
		d.err += a * (dev - d.err)
	}
	d.n++
	if now.After(d.last) {
		d.last = now
	}
	d.trust = 1
	if d.n >= driftWarmup {
		d.trust = min(1, max(0, (d.opts.Bad-d.err)/(d.opts.Bad-d.opts.Good)))
	}
	switch {
	case d.trust >= 1:
		d.since = time.Time{}
	case d.since.IsZero():
		d.since = now
	}
}

// Trust is the current trust level: 1 while predictions match, falling to
// 0 as their scatter grows from Good to Bad.
func (d *Drift) Trust() float64 {
	if d == nil {
		return 1
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.trust
}

// DriftState is a Drift's state, for the state API and logs.
type DriftState struct {
	Trust        float64 `json:"trust"`
	Bias         float64 `json:"bias"`  // mean ln(observed/predicted)
	Error        float64 `json:"error"` // mean |ln ratio − bias|
	Observations int64   `json:"observations"`
	// Since is when the trust fell below 1 (the observation that lowered
	// it); zero while it is 1.
	Since time.Time `json:"since,omitzero"`
}

// State returns the tracker's state; a nil Drift trusts fully.
func (d *Drift) State() DriftState {
	if d == nil {
		return DriftState{Trust: 1}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return DriftState{Trust: d.trust, Bias: d.bias, Error: d.err, Observations: d.n, Since: d.since}
}

// DriftReporter is implemented by policies that track the drift of their
// predictions (Cost), for the state API and metrics.
type DriftReporter interface {
	DriftState() DriftState
}

// CompletionObserver is implemented by policies that learn from how
// requests turned out (the cost policy's drift tracking). The load
// balancer calls it for every request a worker answered: predicted is the
// service the request was predicted to need when it was routed (its
// predicted units over its worker's speed alone, in core-seconds),
// observed the service it got before it completed (core-seconds under
// processor sharing). Requests arriving after it change neither, so the
// two differ when the predicted units or the learnt speed are wrong: a
// worker whose CPU share changed, inputs the model mispredicts.
type CompletionObserver interface {
	ObserveCompletion(now time.Time, predicted, observed time.Duration)
}
