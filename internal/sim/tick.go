package sim

import (
	"math"
	"slices"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// tick is one autoscaler interval: the workers report their CPU, the
// autoscaler decides on an observation built as its runner builds it, the
// decision is carried out, and the run is sampled.
func (r *run) tick() {
	interval := r.cfg.Autoscaler.Interval.Seconds()
	live := r.live[:0]
	for _, w := range r.live {
		if w.state == lifecycle.Terminated {
			continue
		}
		live = append(live, w)
		if w.state == lifecycle.Ready || w.state == lifecycle.Draining {
			w.cpu = min(100, 100*w.takeBusy(r.now)/interval)
			if w.slot >= 0 {
				r.snap[w.slot].CPUPercent = w.cpu
			}
		}
	}
	clear(r.live[len(live):])
	r.live = live
	r.expire()
	if r.scaler != nil {
		r.decide()
	}
	r.sample()
}

// decide runs the autoscaler and carries out its decision.
func (r *run) decide() {
	now := epoch.Add(secs(r.now))
	obs := &r.obs
	obs.Workers = obs.Workers[:0]
	for _, w := range r.live {
		ow := autoscaler.Worker{
			ID: w.id, State: w.state, LaunchedAt: epoch.Add(secs(w.launched)),
			InFlight: w.n(), PredictedLeft: w.predictedLeft(r.now, r.cfg.ProgressFloor),
			Speed: w.speed, CPUPercent: w.cpu,
		}
		if w.state == lifecycle.Unhealthy {
			ow.UnhealthySince = epoch.Add(secs(w.sick))
		}
		obs.Workers = append(obs.Workers, ow)
	}
	obs.QueuedUnits = max(r.queue.units, 0)
	obs.QueueLen = r.qlen()
	obs.ArrivedUnits = r.arrived
	r.arrived = 0
	d := r.scaler.Decide(now, *obs)
	r.desired = d.Desired
	if !d.Changed() {
		return
	}
	r.res.ScaleEvents++
	for _, id := range d.Replace {
		if w := r.byID[id]; w != nil && w.state != lifecycle.Terminated {
			r.terminate(w)
			r.res.Replaced++
		}
	}
	for range d.Launch {
		w := r.launch()
		r.res.Launched++
		if r.cfg.BootDelay == 0 {
			r.setReady(w)
			continue
		}
		r.ev.push(event{t: r.now + r.cfg.BootDelay.Seconds(), kind: evReady, worker: w.idx})
	}
	for _, id := range d.Drain {
		w := r.byID[id]
		if w == nil || w.state != lifecycle.Ready {
			continue
		}
		r.unready(w)
		w.state = lifecycle.Draining
		if w.n() == 0 {
			r.terminate(w)
			r.res.Drained++
		}
	}
	if d.Launch > 0 && r.cfg.BootDelay == 0 {
		r.dispatch()
	}
}

// sample records the state of the run.
func (r *run) sample() {
	s := Sample{T: r.now, Desired: r.desired, Queue: r.qlen(), Backlog: max(r.queue.units, 0), P50: math.NaN(), P99: math.NaN()}
	for _, w := range r.live {
		switch w.state {
		case lifecycle.Ready:
			s.Ready++
		case lifecycle.Booting:
			s.Booting++
		}
		s.InFlight += w.n()
		s.Backlog += w.predictedLeft(r.now, r.cfg.ProgressFloor)
	}
	if r.scaler == nil {
		s.Desired = s.Ready + s.Booting
	}
	if len(r.window) > 0 {
		slices.Sort(r.window)
		s.P50, s.P99 = quantile(r.window, 0.5), quantile(r.window, 0.99)
		r.window = r.window[:0]
	}
	r.res.PoolPeak = max(r.res.PoolPeak, s.Ready+s.Booting)
	r.res.Series = append(r.res.Series, s)
}

// end closes the run: worker-seconds up to the last event, the latency
// figures.
func (r *run) end() {
	r.sample()
	r.res.End = secs(r.now)
	var ws float64
	for _, w := range r.workers {
		until := r.now
		if w.state == lifecycle.Terminated {
			until = w.ended
		}
		ws += until - w.launched
	}
	r.res.WorkerSeconds = ws
	r.res.finish(r.lat)
	r.lat = nil
}
