package sim

import (
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// flight is a request in flight on a worker.
type flight struct {
	tag  float64 // virtual time at which it completes: start tag + units
	req  int32
	v0   float64 // virtual time when it started
	pred float64 // its predicted units
}

// worker is one simulated worker. Its virtual clock v is the work, in
// units, each of its in-flight requests has received since the clock was
// last reset (it resets whenever the worker goes idle); it advances at
// speed/n per second with n requests in flight.
type worker struct {
	id       string
	idx      int32
	state    lifecycle.State
	speed    float64
	launched float64 // seconds
	ended    float64 // when terminated (valid when state is Terminated)
	sick     float64 // when it became unhealthy

	v, last float64  // virtual clock and when it was last advanced
	fl      []flight // min-heap by tag
	sumPred float64  // Σ predicted units of fl
	sumV0   float64  // Σ v0 of fl
	version uint32   // of the latest finish event

	busy, busySince float64 // busy seconds since the last tick; when it went busy
	cpu             float64 // CPU percent over the last tick interval
	slot            int     // index in the ready snapshot, -1 when not ready
	served          int64
}

func (w *worker) n() int { return len(w.fl) }

// advance brings the virtual clock to now.
func (w *worker) advance(now float64) {
	if n := len(w.fl); n > 0 {
		w.v += (now - w.last) * w.speed / float64(n)
	}
	w.last = now
}

// nextFinish is when the earliest request completes if nothing changes.
func (w *worker) nextFinish() float64 {
	left := w.fl[0].tag - w.v
	if left < 0 {
		left = 0
	}
	return w.last + left*float64(len(w.fl))/w.speed
}

// add starts a request of units (predicted pred) at now; the clock must
// have been advanced to now.
func (w *worker) add(now float64, req int32, units, pred float64) {
	if len(w.fl) == 0 {
		w.v, w.sumV0 = 0, 0
		w.busySince = now
	}
	f := flight{tag: w.v + units, req: req, v0: w.v, pred: pred}
	w.fl = append(w.fl, f)
	i := len(w.fl) - 1
	for i > 0 {
		p := (i - 1) / 2
		if w.fl[p].tag <= w.fl[i].tag {
			break
		}
		w.fl[i], w.fl[p] = w.fl[p], w.fl[i]
		i = p
	}
	w.sumPred += pred
	w.sumV0 += f.v0
}

// popFirst removes the earliest-finishing request at now; the clock must
// have been advanced to now.
func (w *worker) popFirst(now float64) flight {
	f := w.fl[0]
	if w.v < f.tag {
		w.v = f.tag // rounding
	}
	n := len(w.fl) - 1
	w.fl[0] = w.fl[n]
	w.fl = w.fl[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && w.fl[r].tag < w.fl[l].tag {
			m = r
		}
		if w.fl[i].tag <= w.fl[m].tag {
			break
		}
		w.fl[i], w.fl[m] = w.fl[m], w.fl[i]
		i = m
	}
	w.sumPred -= f.pred
	w.sumV0 -= f.v0
	if n == 0 {
		w.sumPred, w.sumV0, w.v = 0, 0, 0
		w.busy += now - w.busySince
	}
	return f
}

// predictedLeft is what the load balancer believes is left of the
// in-flight requests at now: their predictions minus the work done on
// them, at least progressFloor of the predictions (the proxy floors each
// request; the simulator floors the sum, which keeps it O(1)).
func (w *worker) predictedLeft(now, progressFloor float64) float64 {
	n := len(w.fl)
	if n == 0 {
		return 0
	}
	v := w.v + (now-w.last)*w.speed/float64(n)
	left := w.sumPred - (float64(n)*v - w.sumV0)
	if fl := progressFloor * w.sumPred; left < fl {
		return fl
	}
	return left
}

// takeBusy returns the busy seconds since the previous call, up to now.
func (w *worker) takeBusy(now float64) float64 {
	b := w.busy
	if len(w.fl) > 0 {
		b += now - w.busySince
		w.busySince = now
	}
	w.busy = 0
	return b
}
