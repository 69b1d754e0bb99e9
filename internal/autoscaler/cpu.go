package autoscaler

import (
	"fmt"
	"time"
)

// cpuPolicy is the original system's rule made safe. The original added a
// worker when any CPU passed 50 % and terminated any worker under 15 % at
// once, requests and all. This one averages the CPU of the ready workers:
// above CPUHigh it adds one worker (not while another is still booting);
// below CPULow for StableWindow it drains the ready worker with the least
// work left. An unknown CPU is no data and never leads to a scale-in, and
// two changes are at least ScaleDownDelay apart.
type cpuPolicy struct {
	cfg    Config
	clock  clock
	health unhealthyClock
	s      scratch

	lowSince   time.Time // since when the average has been low; zero = not low
	lastChange time.Time // zero = never changed
}

func newCPU(cfg Config) *cpuPolicy { return &cpuPolicy{cfg: cfg} }

// Decide implements Policy.
func (c *cpuPolicy) Decide(now time.Time, obs Observation) Decision {
	cfg := c.cfg
	now = c.clock.advance(now)
	p := c.s.classify(now, obs, cfg, &c.health)
	// Workers being replaced keep their place in the pool: their
	// replacements are launched with the same decision.
	size := p.have() + len(p.replace)

	var sum float64
	known := 0
	for _, w := range p.ready {
		if w.CPUPercent >= 0 && w.CPUPercent <= 1e6 {
			sum += w.CPUPercent
			known++
		}
	}
	avg := 0.0
	if known > 0 {
		avg = sum / float64(known)
	}
	allKnown := known > 0 && known == len(p.ready)
	if allKnown && avg < cfg.CPULow {
		if c.lowSince.IsZero() {
			c.lowSince = now
		}
	} else {
		c.lowSince = time.Time{}
	}
	cooling := !c.lastChange.IsZero() && now.Sub(c.lastChange) < cfg.ScaleDownDelay
	coolNote := func() string {
		return fmt.Sprintf(", but the last change was %s ago (cooldown %s)", fmtDur(now.Sub(c.lastChange)), fmtDur(cfg.ScaleDownDelay))
	}

	base := clampInt(size, cfg.Min, cfg.Max)
	desired := base
	var why string
	switch {
	case len(p.ready) == 0:
		why = "no ready workers: no CPU data"
	case known == 0:
		why = fmt.Sprintf("CPU unknown for all %d ready workers: no data, no scale-in", len(p.ready))
	case avg > cfg.CPUHigh:
		why = fmt.Sprintf("average CPU %.1f%% of %d ready workers > %.0f%% high", avg, known, cfg.CPUHigh)
		switch {
		case size >= cfg.Max:
			why += fmt.Sprintf(", at max %d", cfg.Max)
		case len(p.booting) > 0:
			why += fmt.Sprintf(", but %d already booting", len(p.booting))
		case cooling:
			why += coolNote()
		default:
			desired = size + 1
		}
	case !allKnown:
		why = fmt.Sprintf("average CPU %.1f%% with CPU unknown for %d of %d ready workers: no scale-in", avg, len(p.ready)-known, len(p.ready))
	case avg < cfg.CPULow:
		low := now.Sub(c.lowSince)
		why = fmt.Sprintf("average CPU %.1f%% of %d ready workers < %.0f%% low for %s", avg, known, cfg.CPULow, fmtDur(low))
		switch {
		case size <= cfg.Min:
			why += fmt.Sprintf(", at min %d", cfg.Min)
		case low < cfg.StableWindow:
			why += fmt.Sprintf(" of %s", fmtDur(cfg.StableWindow))
		case cooling:
			why += coolNote()
		default:
			desired = size - 1
		}
	default:
		why = fmt.Sprintf("average CPU %.1f%% of %d ready workers within %.0f–%.0f%%", avg, known, cfg.CPULow, cfg.CPUHigh)
	}
	if size < cfg.Min {
		why += fmt.Sprintf(", raised to min %d", cfg.Min)
	}
	d := p.decision(desired, 1, false, why)
	if desired != base && (d.Launch > 0 || len(d.Drain) > 0) {
		c.lastChange = now
		c.lowSince = time.Time{}
	}
	return d
}
