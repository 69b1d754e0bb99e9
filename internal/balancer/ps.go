package balancer

import (
	"math"
	"slices"
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

// psInFlight returns w's in-flight work left in ascending order: Left if
// set (copied into buf and sorted if it is not sorted or holds negative or
// NaN entries, which count as 0), else PredictedLeft split evenly over
// InFlight (one request when InFlight is 0 and work is left). buf is
// scratch the result may live in; the grown buffer is returned too.
func psInFlight(w *WorkerState, buf []float64) (left, scratch []float64) {
	if w.Left != nil {
		if slices.IsSorted(w.Left) && (len(w.Left) == 0 || w.Left[0] >= 0) {
			return w.Left, buf
		}
		buf = buf[:0]
		for _, v := range w.Left {
			buf = append(buf, nonNeg(v))
		}
		slices.Sort(buf)
		return buf, buf
	}
	total := nonNeg(w.PredictedLeft)
	n := w.InFlight
	if n <= 0 {
		if total == 0 {
			return nil, buf
		}
		n = 1
	}
	buf = buf[:0]
	for range n {
		buf = append(buf, total/float64(n))
	}
	return buf, buf
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
	fallback float64   // 0 until needed
	buf      []float64 // scratch of psInFlight
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
	var left []float64
	left, pt.buf = psInFlight(w, pt.buf)
	added, finish = psCost(left, pt.units, cores)
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
