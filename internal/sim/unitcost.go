package sim

import (
	"github.com/specialvfx/vfx/internal/trace"
	"github.com/specialvfx/vfx/internal/workload"
)

// UnitCosts are each workload's CPU cost of one work unit, in nanoseconds.
// Work units are each workload's own count (rays and intersection tests,
// kernel taps, histogram updates) and one unit of one workload does not
// take as long as one of another, so the load balancer counts work in
// ray-tracer equivalent units: a request's units times its workload's cost
// per unit relative to the ray tracer's. The simulator does the same, for
// the work the workers do as for the predictions the policies see; speeds
// are in ray-tracer equivalent units per second.
type UnitCosts map[workload.Kind]float64

// DefaultUnitCosts are the load balancer's priors (internal/proxy), which
// hold until it learns the costs from the workers' answers.
func DefaultUnitCosts() UnitCosts {
	return UnitCosts{workload.Raytracer: 20, workload.Blur: 0.6, workload.Enhance: 0.6}
}

// Weight is kind's ray-tracer equivalents per unit (1 when unknown).
func (u UnitCosts) Weight(kind workload.Kind) float64 {
	rt, c := u[workload.Raytracer], u[kind]
	if !(rt > 0) || !(c > 0) {
		return 1
	}
	return c / rt
}

// UnitCostsOf learns the costs from a trace's answers (CPU time over work
// units, summed per workload, as the load balancer learns them); a
// workload the trace has no such answer of keeps its default.
func UnitCostsOf(entries []trace.Entry) UnitCosts {
	u := DefaultUnitCosts()
	cpu, units := map[workload.Kind]float64{}, map[workload.Kind]float64{}
	for _, e := range entries {
		if e.Units > 0 && e.CPU > 0 {
			cpu[e.Features.Kind] += float64(e.CPU.Nanoseconds())
			units[e.Features.Kind] += float64(e.Units)
		}
	}
	for k, n := range units {
		if _, ok := u[k]; ok && n > 0 {
			u[k] = cpu[k] / n
		}
	}
	return u
}
