package balancer

import (
	"math"
	"slices"
	"sync"
)

// Workers run their in-flight requests side by side: a worker with Cores
// cores and m requests in flight gives each Speed × min(1, Cores/m) units
// per second (processor sharing up to one core per request). The cost of
// sending a request of u units to a worker is then the total latency it
// adds: its own finish time plus the delay it causes every in-flight
// request. Writing N(x) for the number of requests with more than x units
// left, the sum of finish times is ∫ f(N(x)) dx / Speed with
// f(m) = m × max(1, m/Cores), so adding the request adds
//
//	∫₀ᵘ [f(N(x)+1) − f(N(x))] dx / Speed
//
// (for one core: (u + 2 Σ min(left_j, u)) / Speed), computed here without
// subtracting two large sums.

// psCores is w's cores for the processor-sharing model (unknown = 1).
func psCores(w *WorkerState) float64 {
	if w.Cores > 0 && !math.IsInf(w.Cores, 0) {
		return w.Cores
	}
	return 1
}

// psF is f(m) = m × max(1, m/c).
func psF(m, c float64) float64 { return m * max(1, m/c) }

// leftBuf recycles the buffers in-flight work is sorted in.
var leftBuf = sync.Pool{New: func() any { return new([]float64) }}

// psInFlight calls fn with w's in-flight work left in ascending order: Left
// if set (sorted in a scratch copy if it is not sorted), else PredictedLeft
// split evenly over InFlight (one request when InFlight is 0 and work is
// left). Negative and NaN entries count as 0.
func psInFlight(w *WorkerState, fn func(left []float64)) {
	if w.Left != nil {
		if slices.IsSorted(w.Left) && (len(w.Left) == 0 || w.Left[0] >= 0) {
			fn(w.Left)
			return
		}
		bp := leftBuf.Get().(*[]float64)
		s := (*bp)[:0]
		for _, v := range w.Left {
			s = append(s, nonNeg(v))
		}
		slices.Sort(s)
		fn(s)
		*bp = s[:0]
		leftBuf.Put(bp)
		return
	}
	total := nonNeg(w.PredictedLeft)
	n := w.InFlight
	if n <= 0 {
		if total == 0 {
			fn(nil)
			return
		}
		n = 1
	}
	var one [1]float64
	if n == 1 {
		one[0] = total
		fn(one[:])
		return
	}
	bp := leftBuf.Get().(*[]float64)
	s := (*bp)[:0]
	for range n {
		s = append(s, total/float64(n))
	}
	fn(s)
	*bp = s[:0]
	leftBuf.Put(bp)
}

// psCost returns the latency a request of u units adds on a worker whose
// in-flight work left is left (ascending), and the request's own finish
// time, both in units/speed (divide by the speed for seconds).
func psCost(left []float64, u, cores float64) (added, finish float64) {
	if !(u > 0) {
		return 0, 0
	}
	n := len(left)
	prev := 0.0
	for j := 0; j <= n; j++ {
		// On [prev, hi) the requests with more than x left are n-j.
		hi := u
		if j < n && left[j] < u {
			hi = left[j]
		}
		if hi > prev {
			m := float64(n - j)
			added += (hi - prev) * (psF(m+1, cores) - psF(m, cores))
			finish += (hi - prev) * max(1, (m+1)/cores)
			prev = hi
		}
		if hi >= u {
			break
		}
	}
	return added, finish
}

// psTimer computes added latencies and finish times over one snapshot,
// working out the speed fallback only if some worker needs it.
type psTimer struct {
	workers  []WorkerState
	units    float64
	fallback float64 // 0 until needed
}

func newPSTimer(req Request, workers []WorkerState) psTimer {
	return psTimer{workers: workers, units: nonNeg(req.Units)}
}

func (pt *psTimer) speed(i int) float64 {
	s := pt.workers[i].Speed
	if knownSpeed(s) {
		return s
	}
	if pt.fallback == 0 {
		pt.fallback = SpeedFallback(pt.workers)
	}
	return pt.fallback
}

// at returns workers[i]'s added latency and finish time for the request,
// in seconds (+Inf when they cannot be computed).
func (pt *psTimer) at(i int) (added, finish float64) {
	w := &pt.workers[i]
	speed, cores := pt.speed(i), psCores(w)
	psInFlight(w, func(left []float64) { added, finish = psCost(left, pt.units, cores) })
	added, finish = added/speed, finish/speed
	if math.IsNaN(added) {
		added = math.Inf(1)
	}
	if math.IsNaN(finish) {
		finish = math.Inf(1)
	}
	return added, finish
}

// AddedLatency is the total latency, in seconds, that sending req to
// workers[i] adds under processor sharing (the request's own finish time
// plus the delay it causes the in-flight ones): what the cost policy
// minimises when it trusts its predictions.
func AddedLatency(req Request, workers []WorkerState, i int) float64 {
	pt := newPSTimer(req, workers)
	a, _ := pt.at(i)
	return a
}

// PSFinishTime is the predicted time, in seconds, for workers[i] to finish
// req under processor sharing with its in-flight requests (arrivals after
// it not counted).
func PSFinishTime(req Request, workers []WorkerState, i int) float64 {
	pt := newPSTimer(req, workers)
	_, f := pt.at(i)
	return f
}
