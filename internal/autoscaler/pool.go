package autoscaler

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// pool is an observation sorted out for a decision.
type pool struct {
	ready    []Worker
	booting  []Worker
	waiting  []Worker // unhealthy, not yet due for replacement
	replace  []Worker // due for replacement
	why      []string // why each worker of replace is replaced, same order
	draining int
	gone     int // terminated workers, ignored
	dups     int // workers ignored because their ID came earlier in the observation

	inFlight   int      // requests on workers of the pool
	cands      []Worker // drain candidates (scratch)
	backlog    float64  // predicted units left on workers of the pool (those being replaced included: their requests are retried elsewhere)
	unit       float64  // speed of a typical worker, units/s
	readySpeed float64  // summed speed of the ready workers, units/s
}

// have is the pool size that counts towards Desired: ready, booting and
// unhealthy workers not yet due for replacement.
func (p *pool) have() int { return len(p.ready) + len(p.booting) + len(p.waiting) }

// unhealthyClock remembers when a worker was first seen unhealthy, for
// workers that do not report since when they are.
type unhealthyClock struct {
	first map[string]time.Time
}

// since returns when w became unhealthy.
func (c *unhealthyClock) since(now time.Time, w Worker) time.Time {
	if !w.UnhealthySince.IsZero() {
		return w.UnhealthySince
	}
	if c.first == nil {
		c.first = make(map[string]time.Time)
	}
	t, ok := c.first[w.ID]
	if !ok {
		c.first[w.ID] = now
		t = now
	}
	return t
}

// forget drops the workers that are not unhealthy any more, so the clock
// holds at most one entry per worker of the latest observation.
func (c *unhealthyClock) forget(unhealthy map[string]bool) {
	for id := range c.first {
		if !unhealthy[id] {
			delete(c.first, id)
		}
	}
}

// scratch is the memory a policy reuses from one evaluation to the next.
type scratch struct {
	p      pool
	seen   map[string]bool
	sick   map[string]bool
	speeds []float64
}

// classify sorts the observation's workers out. Draining workers are only
// counted and terminated ones ignored: neither is part of the pool.
// Unhealthy workers (and
// workers in a state the policy does not know) are replaced once they have
// been unhealthy for cfg.ReplaceAfter; booting workers are replaced once
// they have been booting for cfg.BootTime+cfg.ReplaceAfter. A worker whose
// ID came earlier in the observation is ignored. The pool returned is valid
// until the next call.
func (s *scratch) classify(now time.Time, obs Observation, cfg Config, clock *unhealthyClock) *pool {
	p := &s.p
	*p = pool{ready: p.ready[:0], booting: p.booting[:0], waiting: p.waiting[:0], replace: p.replace[:0], why: p.why[:0], cands: p.cands[:0]}
	if s.seen == nil {
		s.seen, s.sick = make(map[string]bool), make(map[string]bool)
	}
	clear(s.seen)
	clear(s.sick)
	unhealthy := s.sick
	speeds := s.speeds[:0]
	for _, w := range obs.Workers {
		if s.seen[w.ID] {
			p.dups++
			continue
		}
		s.seen[w.ID] = true
		switch w.State {
		case lifecycle.Draining:
			p.draining++
			continue
		case lifecycle.Terminated:
			p.gone++
			continue
		}
		if validSpeed(w.Speed) {
			speeds = append(speeds, w.Speed)
		}
		p.inFlight += max(w.InFlight, 0)
		p.backlog += nonNeg(w.PredictedLeft)
		switch w.State {
		case lifecycle.Ready:
			p.ready = append(p.ready, w)
		case lifecycle.Booting:
			if limit := cfg.BootTime + cfg.ReplaceAfter; !w.LaunchedAt.IsZero() && now.Sub(w.LaunchedAt) >= limit {
				p.replace = append(p.replace, w)
				p.why = append(p.why, "booting "+fmtDur(now.Sub(w.LaunchedAt)))
				continue
			}
			p.booting = append(p.booting, w)
		default:
			unhealthy[w.ID] = true
			if d := now.Sub(clock.since(now, w)); d >= cfg.ReplaceAfter {
				p.replace = append(p.replace, w)
				p.why = append(p.why, w.State.String()+" "+fmtDur(d))
				continue
			}
			p.waiting = append(p.waiting, w)
		}
	}
	clock.forget(unhealthy)
	p.unit = cfg.DefaultSpeed
	if len(speeds) > 0 {
		p.unit = median(speeds)
	}
	s.speeds = speeds
	for _, w := range p.ready {
		p.readySpeed += p.speedOf(w)
	}
	return p
}

func (p *pool) speedOf(w Worker) float64 {
	if validSpeed(w.Speed) {
		return w.Speed
	}
	return p.unit
}

// plan turns a target pool size into launches and drains. Only ready
// workers beyond the target are drained, at most step of them, those with
// the least predicted work left first (then fewest in flight, then newest).
func (p *pool) plan(desired, step int) (launch int, drain []string) {
	have := p.have()
	if desired > have {
		return desired - have, nil
	}
	n := min(have-desired, step, len(p.ready)-desired)
	if n <= 0 {
		return 0, nil
	}
	p.cands = append(p.cands[:0], p.ready...)
	slices.SortFunc(p.cands, drainOrder)
	for _, w := range p.cands[:n] {
		drain = append(drain, w.ID)
	}
	return 0, drain
}

// drainOrder orders workers from the best to the worst to drain.
func drainOrder(a, b Worker) int {
	if c := compareFloat(nonNeg(a.PredictedLeft), nonNeg(b.PredictedLeft)); c != 0 {
		return c
	}
	if c := a.InFlight - b.InFlight; c != 0 {
		return c
	}
	if c := b.LaunchedAt.Compare(a.LaunchedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// decision assembles a Decision for the target pool size desired, with the
// reason prefix that explains the target.
func (p *pool) decision(desired, step int, panic bool, why string) Decision {
	launch, drain := p.plan(desired, step)
	d := Decision{Desired: desired, Launch: launch, Drain: drain, Panic: panic}
	for _, w := range p.replace {
		d.Replace = append(d.Replace, w.ID)
	}
	d.Reason = why + "; " + p.describe(d)
	return d
}

// describe says what the pool has and what the decision does about it.
func (p *pool) describe(d Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "have %d ready + %d booting", len(p.ready), len(p.booting))
	if len(p.waiting) > 0 {
		fmt.Fprintf(&b, " + %d unhealthy", len(p.waiting))
	}
	if p.draining > 0 {
		fmt.Fprintf(&b, " (%d draining)", p.draining)
	}
	if p.gone > 0 {
		fmt.Fprintf(&b, " (%d terminated ignored)", p.gone)
	}
	if p.dups > 0 {
		fmt.Fprintf(&b, " (%d with a repeated ID ignored)", p.dups)
	}
	b.WriteString(" → ")
	var acts []string
	if len(p.replace) > 0 {
		parts := make([]string, len(p.replace))
		for i, w := range p.replace {
			parts[i] = fmt.Sprintf("%s (%s)", w.ID, p.why[i])
		}
		acts = append(acts, "replace "+strings.Join(parts, ", "))
	}
	if d.Launch > 0 {
		acts = append(acts, fmt.Sprintf("launch %d", d.Launch))
	}
	if len(d.Drain) > 0 {
		acts = append(acts, "drain "+strings.Join(d.Drain, ", "))
	}
	if len(acts) == 0 {
		if d.Desired < p.have() {
			fmt.Fprintf(&b, "keep %d until the extra booting or unhealthy workers settle", p.have())
		} else {
			fmt.Fprintf(&b, "keep %d", p.have())
		}
		return b.String()
	}
	b.WriteString(strings.Join(acts, " and "))
	return b.String()
}

// clampInt limits v to [lo, hi].
func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }

// ceilWorkers rounds a fractional worker need up to a count in [lo, hi].
// Needs that are infinite or beyond hi give hi.
func ceilWorkers(need float64, lo, hi int) int {
	if !(need < float64(hi)) {
		if math.IsNaN(need) {
			return lo
		}
		return hi
	}
	// A need of 3.0000000001 from rounding is 3 workers, not 4.
	return clampInt(int(math.Ceil(need-1e-9)), lo, hi)
}

func nonNeg(x float64) float64 {
	if x > 0 {
		return x
	}
	return 0
}

func validSpeed(s float64) bool { return s > 0 && !math.IsInf(s, 1) }

// median sorts xs in place and returns its median.
func median(s []float64) float64 {
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
