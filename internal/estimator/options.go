package estimator

import (
	"errors"
	"fmt"
	"math"
)

// Defaults of Options.
const (
	DefaultWindow         = 2000
	DefaultMemorySize     = 10000
	DefaultAccuracyWindow = 500
	DefaultPriorWeight    = 5
	DefaultPriorLogSigma  = 1.0
	DefaultProbeLogSigma  = 0.15
	DefaultMaxUnits       = 1e18
	DefaultMaxHashLen     = 256
)

// Options configure a Model. The zero value of a field means its default.
type Options struct {
	// Window is how many recent samples per workload the regression is
	// fitted on (default 2000).
	Window int
	// MemorySize bounds the exact memory, in entries over all workloads
	// (default 10000; negative disables the memory).
	MemorySize int
	// AccuracyWindow is how many recent predictions per workload Accuracy
	// averages over (default 500).
	AccuracyWindow int
	// PriorWeight is how many samples the prior is worth: the ridge penalty
	// of the regression, which shrinks it towards the prior (default 5).
	PriorWeight float64
	// PriorLogSigma is the assumed standard deviation of the prior's error
	// in log space, i.e. a prior that is typically off by a factor of
	// e^PriorLogSigma (default 1).
	PriorLogSigma float64
	// ProbeLogSigma is the assumed standard deviation of a probe's error
	// in log space (default 0.15).
	ProbeLogSigma float64
	// MaxUnits caps every prediction (default 1e18).
	MaxUnits float64
	// MaxHashLen is the longest input hash the exact memory keys on; longer
	// ones are not remembered (default 256).
	MaxHashLen int
	// Prior holds the parameters of the priors.
	Prior PriorParams
}

// DefaultOptions returns the options with every default filled in.
func DefaultOptions() Options {
	return Options{
		Window:         DefaultWindow,
		MemorySize:     DefaultMemorySize,
		AccuracyWindow: DefaultAccuracyWindow,
		PriorWeight:    DefaultPriorWeight,
		PriorLogSigma:  DefaultPriorLogSigma,
		ProbeLogSigma:  DefaultProbeLogSigma,
		MaxUnits:       DefaultMaxUnits,
		MaxHashLen:     DefaultMaxHashLen,
		Prior:          DefaultPriorParams(),
	}
}

// Validate reports every invalid field (zero fields are valid: they take
// their defaults).
func (o Options) Validate() error {
	var errs []error
	if o.Window < 0 || o.Window > 1_000_000 {
		errs = append(errs, fmt.Errorf("estimator window: %d is outside [1, 1000000]", o.Window))
	}
	if o.MemorySize > 10_000_000 {
		errs = append(errs, fmt.Errorf("estimator memory size: %d is above 10000000", o.MemorySize))
	}
	if o.AccuracyWindow < 0 || o.AccuracyWindow > 1_000_000 {
		errs = append(errs, fmt.Errorf("estimator accuracy window: %d is outside [1, 1000000]", o.AccuracyWindow))
	}
	if !finiteNonNeg(o.PriorWeight) {
		errs = append(errs, fmt.Errorf("estimator prior weight: %v is not a finite positive number", o.PriorWeight))
	}
	if !finiteNonNeg(o.PriorLogSigma) || o.PriorLogSigma > 20 {
		errs = append(errs, fmt.Errorf("estimator prior log sigma: %v is outside (0, 20]", o.PriorLogSigma))
	}
	if !finiteNonNeg(o.ProbeLogSigma) || o.ProbeLogSigma > 20 {
		errs = append(errs, fmt.Errorf("estimator probe log sigma: %v is outside (0, 20]", o.ProbeLogSigma))
	}
	if !finiteNonNeg(o.MaxUnits) {
		errs = append(errs, fmt.Errorf("estimator max units: %v is not a finite positive number", o.MaxUnits))
	}
	if o.MaxHashLen < 0 {
		errs = append(errs, fmt.Errorf("estimator max hash length: %d is negative", o.MaxHashLen))
	}
	if err := o.Prior.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// withDefaults replaces zero and invalid fields with their defaults.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Window <= 0 || o.Window > 1_000_000 {
		o.Window = d.Window
	}
	if o.MemorySize == 0 || o.MemorySize > 10_000_000 {
		o.MemorySize = d.MemorySize
	}
	if o.AccuracyWindow <= 0 || o.AccuracyWindow > 1_000_000 {
		o.AccuracyWindow = d.AccuracyWindow
	}
	if !(o.PriorWeight > 0) || math.IsInf(o.PriorWeight, 0) {
		o.PriorWeight = d.PriorWeight
	}
	if !(o.PriorLogSigma > 0) || o.PriorLogSigma > 20 {
		o.PriorLogSigma = d.PriorLogSigma
	}
	if !(o.ProbeLogSigma > 0) || o.ProbeLogSigma > 20 {
		o.ProbeLogSigma = d.ProbeLogSigma
	}
	if !(o.MaxUnits > 0) || math.IsInf(o.MaxUnits, 0) {
		o.MaxUnits = d.MaxUnits
	}
	if o.MaxHashLen <= 0 {
		o.MaxHashLen = d.MaxHashLen
	}
	o.Prior = o.Prior.withDefaults()
	return o
}

// finiteNonNeg reports whether v is a finite number >= 0 (0 means default).
func finiteNonNeg(v float64) bool { return v >= 0 && !math.IsInf(v, 0) }
