package proxy

import (
	"math"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// Work units are each workload's own count (rays and intersection tests,
// kernel taps, histogram updates), and one unit of one workload does not
// take as long as one of another: on the machines this was measured on, a
// ray-tracer unit costs about 20 ns of CPU and a blur or enhance unit under
// 1 ns. Routing adds work of different workloads together (the work left on
// a worker, the queue's backlog), so the pool counts work in ray-tracer
// equivalent units: a request's predicted units times its workload's CPU
// cost per unit relative to the ray tracer's. The relative costs are learnt
// from the workers' responses (X-CPU-Ms over X-Work-Units); these priors
// hold until then.
var unitCostPriors = map[workload.Kind]float64{ // CPU ns per unit
	workload.Raytracer: 20,
	workload.Blur:      0.6,
	workload.Enhance:   0.6,
}

// unitCostMemory is the number of units the prior is worth, and roughly how
// many recent units the learnt cost averages over (an exponentially
// decaying ratio of sums, so that large requests weigh more than tiny ones
// whose cost is mostly fixed overhead).
const unitCostMemory = 1e9

// unitCosts learns each workload's CPU cost per work unit.
type unitCosts struct {
	mu    sync.Mutex
	cpuNs map[workload.Kind]float64 // decayed sum of CPU ns
	units map[workload.Kind]float64 // decayed sum of units
}

func newUnitCosts() *unitCosts {
	u := &unitCosts{cpuNs: map[workload.Kind]float64{}, units: map[workload.Kind]float64{}}
	for k, ns := range unitCostPriors {
		u.units[k] = unitCostMemory / 10
		u.cpuNs[k] = ns * unitCostMemory / 10
	}
	return u
}

// observe learns that a request of kind did units of work in cpu time.
func (u *unitCosts) observe(kind workload.Kind, units int64, cpu time.Duration) {
	if units <= 0 || cpu <= 0 {
		return
	}
	ns := float64(cpu.Nanoseconds())
	if r := ns / float64(units); r < 1e-6 || r > 1e9 || math.IsNaN(r) {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.units[kind]; !ok {
		return
	}
	keep := math.Exp(-float64(units) / unitCostMemory)
	u.units[kind] = u.units[kind]*keep + float64(units)
	u.cpuNs[kind] = u.cpuNs[kind]*keep + ns
}

// nsPerUnit is kind's learnt CPU cost of one unit.
func (u *unitCosts) nsPerUnit(kind workload.Kind) float64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.nsPerUnitLocked(kind)
}

func (u *unitCosts) nsPerUnitLocked(kind workload.Kind) float64 {
	if n := u.units[kind]; n > 0 {
		return u.cpuNs[kind] / n
	}
	return unitCostPriors[workload.Raytracer]
}

// weight converts kind's units into ray-tracer equivalent units.
func (u *unitCosts) weight(kind workload.Kind) float64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.nsPerUnitLocked(kind) / u.nsPerUnitLocked(workload.Raytracer)
}

// UnitCost is one workload's cost per unit in the state API.
type UnitCost struct {
	// NsPerUnit is the learnt CPU nanoseconds of one unit.
	NsPerUnit float64 `json:"cpu_ns_per_unit"`
	// Weight converts the workload's units into ray-tracer equivalent
	// units, the unit the pool's predicted work and speeds are in.
	Weight float64 `json:"weight"`
}

func (u *unitCosts) snapshot() map[workload.Kind]UnitCost {
	out := map[workload.Kind]UnitCost{}
	for _, k := range workload.Kinds {
		out[k] = UnitCost{NsPerUnit: u.nsPerUnit(k), Weight: u.weight(k)}
	}
	return out
}
