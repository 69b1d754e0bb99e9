package proxy

import (
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
)

// A worker shares its cores among the requests in flight on it: with c
// cores and m requests each gets min(1, c/m) of a core. The pool keeps a
// service clock per worker, the core-seconds one request has received
// since the worker joined (it advances at min(1, c/m) per second), so a
// request's progress is its service since it started times the worker's
// speed on one core, and the share a request got is its service over its
// elapsed time.
//
// The learnt speed (Speeds) is units per second of wall time per request
// at whatever concurrency the worker ran; dividing it by the moving
// average of the shares its requests got (same weight, same requests)
// gives the speed of one request with a core to itself, which is what
// balancer.WorkerState.Speed is.

// shareAlpha weighs a request's share in the moving average, as the
// speeds' moving average weighs its speed.
const shareAlpha = estimator.DefaultSpeedAlpha

// cores is w's cores for the processor-sharing model (unknown = 1).
func (w *member) coresOr1() float64 {
	if w.cores > 0 {
		return w.cores
	}
	return 1
}

// advanceLocked brings w's service clock to now; call it before the
// number of in-flight requests changes.
func (w *member) advanceLocked(now time.Time) {
	if m := len(w.flights); m > 0 && now.After(w.svcAt) {
		w.svc += now.Sub(w.svcAt).Seconds() * min(1, w.coresOr1()/float64(m))
	}
	if now.After(w.svcAt) {
		w.svcAt = now
	}
}

// serviceLocked is w's service clock at now (not advanced).
func (w *member) serviceLocked(now time.Time) float64 {
	s := w.svc
	if m := len(w.flights); m > 0 && now.After(w.svcAt) {
		s += now.Sub(w.svcAt).Seconds() * min(1, w.coresOr1()/float64(m))
	}
	return s
}

// observeShareLocked books the share of a core a request got from start
// to now, having received service svc.
func (w *member) observeShareLocked(svc float64, start, now time.Time) {
	el := now.Sub(start).Seconds()
	if !(el > 0) || !(svc > 0) {
		return
	}
	share := min(1, svc/el)
	if w.share == 0 {
		w.share = share
		return
	}
	w.share += shareAlpha * (share - w.share)
}

// coreSpeed is the speed of one request on w with a core to itself, from
// the learnt per-request speed (0 = unknown).
func (p *Pool) coreSpeedLocked(w *member) float64 {
	s := p.speed(w.id)
	if s > 0 && w.share > 0 {
		return s / w.share
	}
	return s
}

// predictedLeftLocked is the work a worker is predicted to have left: each
// in-flight request's prediction minus its estimated progress (service
// received × core speed), floored at ProgressFloor of the prediction.
// When left is not nil the work of each request is appended to it in
// ascending order.
func (p *Pool) predictedLeftLocked(w *member, now time.Time, left *[]float64) float64 {
	speed := p.coreSpeedLocked(w)
	svc := w.serviceLocked(now)
	var sum float64
	start := 0
	if left != nil {
		start = len(*left)
	}
	for _, f := range w.flights {
		done := (svc - f.svc) * speed
		l := max(f.units-done, p.cfg.ProgressFloor*f.units)
		sum += l
		if left != nil {
			*left = append(*left, l)
		}
	}
	if left != nil {
		slices.Sort((*left)[start:])
	}
	return sum
}
