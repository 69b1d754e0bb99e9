package probe

import (
	"errors"
	"fmt"
	"math"
)

// Defaults of Options.
const (
	DefaultRays     = 128
	DefaultMinRays  = 4
	DefaultMaxShare = 0.01
	DefaultRows     = 32
)

// Options bound a probe. The zero value of a field means its default.
type Options struct {
	// Rays is the most primary rays a ray-trace probe traces (default
	// 128).
	Rays int
	// MinRays is the fewest primary rays worth a probe: a request whose
	// share allows fewer is not probed (default 4, a 2×2 grid).
	MinRays int
	// MaxShare bounds a probe's cost as a share of the request's: a
	// ray-trace probe traces at most that share of the render's primary
	// rays (default 0.01).
	MaxShare float64
	// Rows is the most rows an enhance probe reads (default 32).
	Rows int
	// DecodeImages lets an enhance request be probed, which needs its
	// image decoded: a JPEG or PNG decode costs about a fifth of the
	// enhance itself, far beyond MaxShare, so it is off by default.
	DecodeImages bool
}

// Validate reports every invalid field (zero fields take their defaults).
func (o Options) Validate() error {
	var errs []error
	if o.Rays < 0 || o.Rays > 1<<20 {
		errs = append(errs, fmt.Errorf("probe rays: %d is outside [1, %d]", o.Rays, 1<<20))
	}
	if o.MinRays < 0 || o.MinRays > 1<<20 {
		errs = append(errs, fmt.Errorf("probe min rays: %d is outside [1, %d]", o.MinRays, 1<<20))
	}
	if o.Rows < 0 || o.Rows > 1<<20 {
		errs = append(errs, fmt.Errorf("probe rows: %d is outside [1, %d]", o.Rows, 1<<20))
	}
	if !(o.MaxShare >= 0 && o.MaxShare <= 1) {
		errs = append(errs, fmt.Errorf("probe max share: %v is outside (0, 1]", o.MaxShare))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.Rays <= 0 || o.Rays > 1<<20 {
		o.Rays = DefaultRays
	}
	if o.MinRays <= 0 || o.MinRays > 1<<20 {
		o.MinRays = DefaultMinRays
	}
	if !(o.MaxShare > 0 && o.MaxShare <= 1) || math.IsNaN(o.MaxShare) {
		o.MaxShare = DefaultMaxShare
	}
	if o.Rows <= 0 || o.Rows > 1<<20 {
		o.Rows = DefaultRows
	}
	return o
}
