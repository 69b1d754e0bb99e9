package autoscaler

import (
	"fmt"
	"time"
)

// backlog sizes the pool from the predicted work that is coming: the work
// in flight and queued, to be finished within BacklogHorizon, plus the rate
// at which predicted work arrives, over what one worker does per second at
// TargetUtilization. Arrival rates are averaged over a stable and a panic
// window in the manner of Knative's pod autoscaler: it scales up at once,
// panics on a sudden burst, and scales down only after ScaleDownDelay and by
// at most MaxScaleDownStep workers per evaluation.
type backlog struct {
	cfg      Config
	clock    clock
	arrivals rateWindow
	recs     maxWindow
	health   unhealthyClock
	s        scratch

	started   bool
	panicking bool
	panicLast time.Time // when the panic condition last held
	panicMax  int       // largest target while in panic
}

func newBacklog(cfg Config) *backlog { return &backlog{cfg: cfg} }

// Decide implements Policy.
func (b *backlog) Decide(now time.Time, obs Observation) Decision {
	cfg := b.cfg
	now = b.clock.advance(now)
	p := b.s.classify(now, obs, cfg, &b.health)

	b.arrivals.add(now, nonNeg(obs.ArrivedUnits), cfg.Interval)
	b.arrivals.prune(now.Add(-cfg.StableWindow))
	stableRate := b.arrivals.rate(now, cfg.StableWindow)
	panicRate := b.arrivals.rate(now, cfg.PanicWindow)

	work := p.backlog + nonNeg(obs.QueuedUnits)
	workRate := work / cfg.BacklogHorizon.Seconds()
	perWorker := p.unit * cfg.TargetUtilization
	needStable := (workRate + stableRate) / perWorker
	needPanic := (workRate + panicRate) / perWorker
	if obs.QueueLen > 0 || p.inFlight > 0 {
		// Requests whose work is predicted as zero still need a worker.
		needStable = max(needStable, 1)
		needPanic = max(needPanic, 1)
	}

	// Panic when the short-window demand reaches PanicThreshold times what
	// the ready workers (at least one worker's worth) do at the target.
	capacity := max(p.readySpeed, p.unit) * cfg.TargetUtilization
	over := workRate+panicRate > 0 && workRate+panicRate >= cfg.PanicThreshold*capacity
	var note string
	switch {
	case over && !b.panicking:
		b.panicking = true
		b.panicMax = clampInt(p.have(), cfg.Min, cfg.Max)
		note = "entering panic: "
	case over:
		note = "panic: "
	case b.panicking && now.Sub(b.panicLast) >= cfg.StableWindow:
		b.panicking = false
		b.panicMax = 0
		note = fmt.Sprintf("leaving panic after %s calm: ", fmtDur(now.Sub(b.panicLast)))
	case b.panicking:
		note = fmt.Sprintf("panic (calm for %s of %s): ", fmtDur(now.Sub(b.panicLast)), fmtDur(cfg.StableWindow))
	}
	if over {
		b.panicLast = now
	}

	need := needStable
	var why string
	if b.panicking {
		need = max(needPanic, needStable)
		why = fmt.Sprintf("%sbacklog %s units + arrivals %s units/s over %s (%s units/s over %s) need %.1f workers of %s units/s at %s target (ready capacity %s units/s)",
			note, si(work), si(panicRate), fmtDur(cfg.PanicWindow), si(stableRate), fmtDur(cfg.StableWindow),
			need, si(p.unit), pct(cfg.TargetUtilization), si(capacity))
	} else {
		why = fmt.Sprintf("%sbacklog %s units + arrivals %s units/s need %.1f workers of %s units/s at %s target",
			note, si(work), si(stableRate), need, si(p.unit), pct(cfg.TargetUtilization))
	}
	rec := ceilWorkers(need, cfg.Min, cfg.Max)
	if b.panicking {
		// No scale-down while in panic.
		if b.panicMax > rec {
			rec = b.panicMax
			why += fmt.Sprintf(", kept at %d while in panic", rec)
		}
		b.panicMax = rec
	}

	if !b.started {
		// The pool found at start-up counts as a recent target, so a
		// restart does not drain it before the scale-down delay.
		b.started = true
		if cfg.ScaleDownDelay > 0 {
			b.recs.add(now, clampInt(p.have(), cfg.Min, cfg.Max))
		}
	}
	b.recs.add(now, rec)
	// The recent targets were within the bounds of their time; bounds
	// changed since (SetBounds) apply at once.
	desired := clampInt(b.recs.max(now, cfg.ScaleDownDelay), cfg.Min, cfg.Max)
	switch {
	case desired > rec:
		why += fmt.Sprintf(", held at %d (highest target over the last %s)", desired, fmtDur(cfg.ScaleDownDelay))
	case rec == cfg.Max && need > float64(cfg.Max):
		why += fmt.Sprintf(", capped at max %d", cfg.Max)
	case rec == cfg.Min && need < float64(cfg.Min):
		why += fmt.Sprintf(", raised to min %d", cfg.Min)
	}
	return p.decision(desired, cfg.MaxScaleDownStep, b.panicking, why)
}
