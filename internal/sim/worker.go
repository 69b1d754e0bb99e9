package sim

import (
	"math"

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
	q        *quota  // nil: no CPU quota (see below)
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

	// A CPU quota (Config.CPUs > 0): each request runs on a core of its own
	// at perCore units/s, at most cores of them at once, until the worker
	// has used quota core-seconds in the current period; then it is
	// throttled (no progress) until the next period.
	used      float64 // core-seconds used in the current period
	pStart    float64 // start of the current period
	throttled bool
	nextKind  workerEvent // what the latest scheduled event of the worker is
}

// quota is a CPU quota shared by the workers of a run.
type quota struct {
	perCore float64 // units/s of one core
	cores   float64 // cores a worker may run on at once
	budget  float64 // core-seconds per period
	period  float64 // seconds
}

// workerEvent is what a worker's scheduled event is.
type workerEvent uint8

const (
	wFinish   workerEvent = iota // its earliest request completes
	wThrottle                    // it has used its quota for the period
	wPeriod                      // a new period starts
)

// parallel is how many cores the worker's requests run on now.
func (w *worker) parallel() float64 { return min(float64(len(w.fl)), w.q.cores) }

// rate is the worker's total speed now, in units/s over all its requests.
func (w *worker) rate() float64 {
	switch {
	case w.q == nil:
		return w.speed
	case w.throttled:
		return 0
	}
	return w.q.perCore * w.parallel()
}

// rollPeriod starts the period that now falls in, if the current one has
// ended.
func (w *worker) rollPeriod(now float64) {
	if w.q == nil || now < w.pStart+w.q.period {
		return
	}
	// At least one period has ended, whatever the rounding of the division.
	w.pStart += max(math.Floor((now-w.pStart)/w.q.period), 1) * w.q.period
	w.used, w.throttled = 0, false
}

// next is the time and kind of the worker's next event (it has requests
// in flight).
func (w *worker) next() (float64, workerEvent) {
	t, kind := math.Inf(1), wFinish
	if r := w.rate(); r > 0 {
		t = w.last + max(w.fl[0].tag-w.v, 0)*float64(len(w.fl))/r
	}
	if w.q == nil {
		return t, kind
	}
	if end := w.pStart + w.q.period; end < t {
		t, kind = end, wPeriod
	}
	if !w.throttled {
		if at := w.last + max(w.q.budget-w.used, 0)/w.parallel(); at < t {
			t, kind = at, wThrottle
		}
	}
	return t, kind
}

func (w *worker) n() int { return len(w.fl) }

// advance brings the virtual clock to now.
func (w *worker) advance(now float64) {
	if n := len(w.fl); n > 0 {
		d := now - w.last
		w.v += d * w.rate() / float64(n)
		if w.q != nil && !w.throttled {
			w.used += d * w.parallel()
		}
	}
	w.last = now
}

// add starts a request of units (predicted pred) at now; the clock must
// have been advanced to now.
func (w *worker) add(now float64, req int32, units, pred float64) {
	if len(w.fl) == 0 {
		w.v, w.sumV0 = 0, 0
		w.busySince = now
		w.rollPeriod(now)
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
	rate := w.speed
	if w.q != nil {
		rate = w.rate()
	}
	v := w.v + (now-w.last)*rate/float64(n)
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
