package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/workload"
)

// The arrival processes of Generate.
const (
	Poisson = "poisson" // exponential gaps at Rate
	Bursts  = "bursts"  // BurstSize requests at once every BurstGap
	Diurnal = "diurnal" // Poisson with a rate rising from MinRate to Rate and back every Period
)

// Arrivals describes generated arrivals.
type Arrivals struct {
	Kind      string
	Count     int
	Rate      float64       // requests per second (poisson; diurnal peak)
	MinRate   float64       // diurnal low (default Rate/10)
	Period    time.Duration // diurnal period
	BurstSize int
	BurstGap  time.Duration
}

// MaxGenerated bounds Arrivals.Count.
const MaxGenerated = 10_000_000

// Validate reports every problem of a.
func (a Arrivals) Validate() error {
	var errs []error
	if a.Count < 1 || a.Count > MaxGenerated {
		errs = append(errs, fmt.Errorf("count: must be in [1, %d], got %d", MaxGenerated, a.Count))
	}
	switch a.Kind {
	case Poisson, Diurnal:
		if !(a.Rate > 0) || math.IsInf(a.Rate, 0) {
			errs = append(errs, fmt.Errorf("rate: must be a finite number > 0, got %v", a.Rate))
		}
		if a.Kind == Diurnal {
			if a.Period <= 0 {
				errs = append(errs, fmt.Errorf("period: must be > 0, got %v", a.Period))
			}
			if a.MinRate < 0 || a.MinRate > a.Rate {
				errs = append(errs, fmt.Errorf("min rate: must be in [0, rate], got %v", a.MinRate))
			}
		}
	case Bursts:
		if a.BurstSize < 1 {
			errs = append(errs, fmt.Errorf("burst size: must be ≥ 1, got %d", a.BurstSize))
		}
		if a.BurstGap <= 0 {
			errs = append(errs, fmt.Errorf("burst gap: must be > 0, got %v", a.BurstGap))
		}
	default:
		errs = append(errs, fmt.Errorf("arrivals: unknown kind %q (want %s, %s or %s)", a.Kind, Poisson, Bursts, Diurnal))
	}
	return errors.Join(errs...)
}

// Generate draws a.Count requests arriving as a says, each a copy of a
// request of pool drawn at random (its features and cost), reproducibly
// for a seed.
func Generate(a Arrivals, pool []Request, seed uint64) ([]Request, error) {
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if len(pool) == 0 {
		return nil, errors.New("generate: no recorded requests to draw costs from")
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e))
	out := make([]Request, a.Count)
	t := 0.0
	lo := a.MinRate
	if a.Kind == Diurnal && lo == 0 {
		lo = a.Rate / 10
	}
	for i := range out {
		switch a.Kind {
		case Poisson:
			t += rng.ExpFloat64() / a.Rate
		case Diurnal:
			// Thinning: candidates at the peak rate, each kept with
			// probability rate(t)/peak.
			for {
				t += rng.ExpFloat64() / a.Rate
				phase := 2 * math.Pi * t / a.Period.Seconds()
				rate := lo + (a.Rate-lo)*(1-math.Cos(phase))/2
				if rng.Float64()*a.Rate <= rate {
					break
				}
			}
		case Bursts:
			t = float64(i/a.BurstSize) * a.BurstGap.Seconds()
		}
		p := pool[rng.IntN(len(pool))]
		p.At = secs(t)
		out[i] = p
	}
	return out, nil
}

// DefaultPool is the requests Generate draws from when no trace is given:
// a simple and a complex ray trace, a blur and an enhance of a 1080p
// image, each costing its workload's prior (0.02 s, 1.8 s, 0.5 s and 0.2 s
// on a worker of autoscaler.DefaultSpeed with DefaultUnitCosts; 0.62 s on
// average).
func DefaultPool() []Request {
	fs := []workload.Features{
		{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300, Shapes: 4, Lights: 2},
		{Kind: workload.Raytracer, SCols: 800, SRows: 600, WCols: 800, WRows: 600, AA: true, Shapes: 12, Lights: 3, Reflective: 4},
		{Kind: workload.Blur, Width: 1920, Height: 1080, Format: "jpg"},
		{Kind: workload.Enhance, Width: 1920, Height: 1080, Format: "jpg"},
	}
	prior := estimator.DefaultPriorParams()
	pool := make([]Request, len(fs))
	for i, f := range fs {
		pool[i] = Request{Features: f, Units: estimator.PriorUnits(f, prior)}
	}
	return pool
}
