package loadgen

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ArrivalKind names an open-loop arrival process.
type ArrivalKind string

// The arrival processes.
const (
	Poisson  ArrivalKind = "poisson"  // exponential gaps at Rate
	Constant ArrivalKind = "constant" // one request every 1/Rate
	Bursts   ArrivalKind = "bursts"   // Bursts bursts of BurstSize requests, BurstGap apart
	Diurnal  ArrivalKind = "diurnal"  // Poisson at a rate rising from MinRate to Rate and back every Period
	Phases   ArrivalKind = "phases"   // Poisson at each phase's rate, phase after phase
)

// ArrivalKinds lists the arrival processes.
var ArrivalKinds = []ArrivalKind{Poisson, Constant, Bursts, Diurnal, Phases}

// Hard caps of the arrival processes.
const (
	MaxRate      = 100_000 // requests per second
	MaxBursts    = 100_000
	MaxBurstSize = 10_000
	MaxPhases    = 100
)

// DefaultBurstSize is the size of a burst when neither the flag nor the
// mix gives one.
const DefaultBurstSize = 10

// Arrivals describes an open-loop arrival process.
type Arrivals struct {
	Kind ArrivalKind
	// Rate is the requests per second of poisson and constant, and the
	// peak of diurnal.
	Rate float64
	// MinRate is diurnal's lowest rate, at the start of each period.
	MinRate float64
	// Period is diurnal's period.
	Period time.Duration
	// Bursts, BurstSize, BurstGap: bursts of BurstSize requests (0: the
	// mix's own burst, else DefaultBurstSize), one every BurstGap; the
	// requests of a burst are spread uniformly at random over its first
	// BurstSpread (0: all at once).
	Bursts      int
	BurstSize   int
	BurstGap    time.Duration
	BurstSpread time.Duration
	// Phases are the phases of constant rate, in order.
	Phases []Phase
}

// Phase is a stretch of constant Poisson rate.
type Phase struct {
	Name     string
	Duration time.Duration
	Rate     float64 // requests per second; 0: none
}

// Validate reports every problem of a, each naming its field.
func (a Arrivals) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	rate := func(field string, v float64, zero bool) {
		if math.IsNaN(v) || v < 0 || v > MaxRate || (v == 0 && !zero) {
			bad(field, "%v requests/s is not in (0, %d]", v, MaxRate)
		}
	}
	switch a.Kind {
	case Poisson, Constant:
		rate("rate", a.Rate, false)
	case Diurnal:
		rate("rate", a.Rate, false)
		if math.IsNaN(a.MinRate) || a.MinRate < 0 || a.MinRate > a.Rate {
			bad("min-rate", "%v requests/s is not in [0, rate=%v]", a.MinRate, a.Rate)
		}
		if a.Period <= 0 || a.Period > MaxDuration {
			bad("period", "%v is not in (0, %v]", a.Period, MaxDuration)
		}
	case Bursts:
		if a.Bursts < 1 || a.Bursts > MaxBursts {
			bad("bursts", "%d is not in [1, %d]", a.Bursts, MaxBursts)
		}
		if a.BurstSize < 0 || a.BurstSize > MaxBurstSize {
			bad("burst-size", "%d is not in [1, %d] (0: the mix's burst)", a.BurstSize, MaxBurstSize)
		}
		if a.BurstGap <= 0 || a.BurstGap > MaxDuration {
			bad("burst-gap", "%v is not in (0, %v]", a.BurstGap, MaxDuration)
		}
		if a.BurstSpread < 0 || a.BurstSpread > a.BurstGap {
			bad("burst-spread", "%v is not in [0, burst-gap=%v]", a.BurstSpread, a.BurstGap)
		}
		if time.Duration(a.Bursts)*a.BurstGap > MaxDuration {
			bad("bursts", "%d bursts %v apart last longer than %v", a.Bursts, a.BurstGap, MaxDuration)
		}
	case Phases:
		if len(a.Phases) == 0 || len(a.Phases) > MaxPhases {
			bad("phases", "%d phases: want 1 to %d", len(a.Phases), MaxPhases)
		}
		var total time.Duration
		for i, p := range a.Phases {
			if p.Duration <= 0 || p.Duration > MaxDuration {
				bad(fmt.Sprintf("phases[%d]", i), "duration %v is not in (0, %v]", p.Duration, MaxDuration)
			}
			rate(fmt.Sprintf("phases[%d]", i), p.Rate, true)
			total += p.Duration
		}
		if total > MaxDuration {
			bad("phases", "%v in all, longer than %v", total, MaxDuration)
		}
	default:
		bad("arrival", "%q: want one of %s", a.Kind, kindList())
	}
	return errors.Join(errs...)
}

func kindList() string {
	var s []string
	for _, k := range ArrivalKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// Finite reports whether the process ends by itself (bursts, phases).
func (a Arrivals) Finite() bool { return a.Kind == Bursts || a.Kind == Phases }

// String describes the process, e.g. "poisson 10/s".
func (a Arrivals) String() string {
	switch a.Kind {
	case Poisson, Constant:
		return fmt.Sprintf("%s %s/s", a.Kind, fmtRate(a.Rate))
	case Diurnal:
		return fmt.Sprintf("diurnal %s-%s/s over %v", fmtRate(a.MinRate), fmtRate(a.Rate), a.Period)
	case Bursts:
		s := fmt.Sprintf("%d bursts of %d, %v apart", a.Bursts, a.BurstSize, a.BurstGap)
		if a.Bursts == 1 {
			s = fmt.Sprintf("1 burst of %d", a.BurstSize)
		}
		if a.BurstSpread > 0 {
			s += fmt.Sprintf(", each spread over %v", a.BurstSpread)
		}
		return s
	case Phases:
		return "phases " + FormatPhases(a.Phases)
	}
	return string(a.Kind)
}

func fmtRate(r float64) string { return strconv.FormatFloat(r, 'g', -1, 64) }

// ParsePhases reads phases written as "[name:]duration@rate,…", e.g.
// "quiet:20s@0.5,burst:25s@6".
func ParsePhases(s string) ([]Phase, error) {
	var out []Phase
	for i, part := range strings.Split(s, ",") {
		name, spec, hasName := strings.Cut(strings.TrimSpace(part), ":")
		if !hasName {
			name, spec = fmt.Sprintf("phase%d", i+1), name
		}
		ds, rs, ok := strings.Cut(spec, "@")
		if !ok {
			return nil, fmt.Errorf("phase %q: want [name:]duration@rate, e.g. burst:25s@6", part)
		}
		d, err := time.ParseDuration(ds)
		if err != nil {
			return nil, fmt.Errorf("phase %q: duration: %w", part, err)
		}
		r, err := strconv.ParseFloat(rs, 64)
		if err != nil {
			return nil, fmt.Errorf("phase %q: rate: %w", part, err)
		}
		out = append(out, Phase{Name: name, Duration: d, Rate: r})
	}
	return out, nil
}

// FormatPhases writes phases as ParsePhases reads them.
func FormatPhases(ps []Phase) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s:%v@%s", p.Name, p.Duration, fmtRate(p.Rate)))
	}
	return strings.Join(s, ",")
}

// Duration is how long a finite process lasts (the last burst's start
// plus its spread, or the phases' total), 0 for an endless one.
func (a Arrivals) Duration() time.Duration {
	switch a.Kind {
	case Bursts:
		return time.Duration(a.Bursts-1)*a.BurstGap + a.BurstSpread
	case Phases:
		var d time.Duration
		for _, p := range a.Phases {
			d += p.Duration
		}
		return d
	}
	return 0
}

// process is a running arrival process: next returns the scheduled time
// of the next request from the start of the run and its slot in a burst
// (-1 outside bursts); ok is false when there are no more.
type process interface {
	next(rng *rand.Rand) (at time.Duration, slot int, ok bool)
}

// process starts the process a describes (valid, BurstSize set).
func (a Arrivals) process() process {
	switch a.Kind {
	case Constant:
		return &constant{gap: 1 / a.Rate}
	case Diurnal:
		return &diurnal{min: a.MinRate, max: a.Rate, period: a.Period.Seconds()}
	case Bursts:
		return &bursts{a: a}
	case Phases:
		return &phases{ps: a.Phases}
	}
	return &poisson{rate: a.Rate}
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

type poisson struct {
	rate, t float64 // t in seconds
}

func (p *poisson) next(rng *rand.Rand) (time.Duration, int, bool) {
	p.t += rng.ExpFloat64() / p.rate
	return seconds(p.t), -1, true
}

type constant struct {
	gap float64
	i   int
}

func (c *constant) next(*rand.Rand) (time.Duration, int, bool) {
	at := seconds(float64(c.i) * c.gap)
	c.i++
	return at, -1, true
}

// diurnal is a Poisson process whose rate follows
// min + (max-min)(1-cos(2πt/period))/2, drawn by thinning a process at
// the peak rate.
type diurnal struct {
	min, max, period, t float64
}

func (d *diurnal) next(rng *rand.Rand) (time.Duration, int, bool) {
	for {
		d.t += rng.ExpFloat64() / d.max
		rate := d.min + (d.max-d.min)*(1-math.Cos(2*math.Pi*d.t/d.period))/2
		if rng.Float64()*d.max < rate {
			return seconds(d.t), -1, true
		}
	}
}

type bursts struct {
	a       Arrivals
	b       int // bursts started
	pending []burstArrival
}

type burstArrival struct {
	at   time.Duration
	slot int
}

func (p *bursts) next(rng *rand.Rand) (time.Duration, int, bool) {
	if len(p.pending) == 0 {
		if p.b == p.a.Bursts {
			return 0, 0, false
		}
		start := time.Duration(p.b) * p.a.BurstGap
		p.b++
		p.pending = make([]burstArrival, p.a.BurstSize)
		for i := range p.pending {
			p.pending[i] = burstArrival{at: start, slot: i}
		}
		if p.a.BurstSpread > 0 {
			for i, slot := range rng.Perm(len(p.pending)) {
				p.pending[i] = burstArrival{at: start + time.Duration(rng.Int64N(int64(p.a.BurstSpread))), slot: slot}
			}
			slices.SortStableFunc(p.pending, func(x, y burstArrival) int { return cmp.Compare(x.at, y.at) })
		}
	}
	a := p.pending[0]
	p.pending = p.pending[1:]
	return a.at, a.slot, true
}

type phases struct {
	ps    []Phase
	i     int
	start float64 // of phase i, seconds
	t     float64
}

func (p *phases) next(rng *rand.Rand) (time.Duration, int, bool) {
	for p.i < len(p.ps) {
		ph := p.ps[p.i]
		end := p.start + ph.Duration.Seconds()
		if ph.Rate > 0 {
			p.t += rng.ExpFloat64() / ph.Rate
			if p.t < end {
				return seconds(p.t), -1, true
			}
		}
		p.i++
		p.start, p.t = end, end
	}
	return 0, 0, false
}
