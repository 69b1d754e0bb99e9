package sim

import (
	"cmp"
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/trace"
	"github.com/specialvfx/vfx/internal/workload"
)

// Request is one request of a simulated run.
type Request struct {
	// At is the arrival at the load balancer, from the start of the run.
	At       time.Duration
	Features workload.Features
	// Units is what the request really costs, in work units: what the
	// worker reported, or the workload's prior for a request that never
	// ran. The load balancer does not know it; it predicts it.
	Units float64
}

// FromTrace turns a trace recorded by `vfx load --out` (or planned by
// --dry-run) into requests in arrival order. A request the trace records
// the worker's units of costs those; any other costs its workload's prior
// (estimator.PriorUnits).
func FromTrace(entries []trace.Entry) []Request {
	prior := estimator.DefaultPriorParams()
	reqs := make([]Request, 0, len(entries))
	for _, e := range entries {
		u := float64(e.Units)
		if e.Units <= 0 {
			u = estimator.PriorUnits(e.Features, prior)
		}
		reqs = append(reqs, Request{At: e.At, Features: e.Features, Units: u})
	}
	sortRequests(reqs)
	return reqs
}

// sortRequests puts requests in arrival order (stable).
func sortRequests(reqs []Request) {
	slices.SortStableFunc(reqs, func(a, b Request) int { return cmp.Compare(a.At, b.At) })
}

// SpeedOf is the speed the trace's workers showed: the median over its
// requests of ray-tracer equivalent units (weighted by costs) per second of
// wall time on the worker, or 0 when the trace records none. A worker
// running several requests at once shares its speed among them, so this
// underestimates a busy worker.
func SpeedOf(entries []trace.Entry, costs UnitCosts) float64 {
	var s []float64
	for _, e := range entries {
		if e.Units > 0 && e.Wall > 0 {
			s = append(s, float64(e.Units)*costs.Weight(e.Features.Kind)/e.Wall.Seconds())
		}
	}
	if len(s) == 0 {
		return 0
	}
	slices.Sort(s)
	return s[len(s)/2]
}

// OverheadOf is the latency a trace's answers spent outside the worker's
// compute: the median over its 2xx answers of latency minus the worker's
// wall time (0 when the trace records none).
func OverheadOf(entries []trace.Entry) time.Duration {
	var d []time.Duration
	for _, e := range entries {
		if e.OK() && e.Wall > 0 && e.Latency > 0 {
			d = append(d, max(e.Latency-e.Wall, 0))
		}
	}
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// CoreSpeedOf is the speed of one core the trace's workers showed: the
// median over its requests of ray-tracer equivalent units per CPU-second
// (0 when the trace records no CPU time). It is the speed under a CPU
// quota (Config.CPUs), where each request runs on a core of its own.
func CoreSpeedOf(entries []trace.Entry, costs UnitCosts) float64 {
	var s []float64
	for _, e := range entries {
		if e.Units > 0 && e.CPU > 0 {
			s = append(s, float64(e.Units)*costs.Weight(e.Features.Kind)/e.CPU.Seconds())
		}
	}
	if len(s) == 0 {
		return 0
	}
	slices.Sort(s)
	return s[len(s)/2]
}
