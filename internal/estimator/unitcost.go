package estimator

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
// 1 ns. Whoever adds work of different workloads together (the work left
// on a worker, the queue's backlog, the autoscaler's backlog, the
// simulator) counts it in CPU time, or in ray-tracer equivalent units: a
// request's predicted units times its workload's CPU cost per unit
// relative to the ray tracer's. The costs per unit are learnt from the
// workers' responses (CPU time over work units); these priors hold until
// then.
var unitCostPriors = map[workload.Kind]float64{ // CPU ns per unit
	workload.Raytracer: 20,
	workload.Blur:      0.6,
	workload.Enhance:   0.6,
}

// UnitCostPrior is the CPU nanoseconds per unit of kind assumed until one
// is learnt (that of the ray tracer for an unknown workload).
func UnitCostPrior(kind workload.Kind) float64 {
	if ns, ok := unitCostPriors[kind]; ok {
		return ns
	}
	return unitCostPriors[workload.Raytracer]
}

// unitCostMemory is the number of units the prior is worth, and roughly how
// many recent units the learnt cost averages over (an exponentially
// decaying ratio of sums, so that large requests weigh more than tiny ones
// whose cost is mostly fixed overhead).
const unitCostMemory = 1e9

// UnitCosts learns each workload's CPU cost per work unit on the workers
// that ran it, and converts predicted units into CPU time on such a worker
// (a worker of speed 1) or on one of a known relative speed. It is safe for
// concurrent use.
type UnitCosts struct {
	mu    sync.Mutex
	cpuNs map[workload.Kind]float64 // decayed sum of CPU ns
	units map[workload.Kind]float64 // decayed sum of units
}

// NewUnitCosts returns unit costs that know only the priors.
func NewUnitCosts() *UnitCosts {
	u := &UnitCosts{cpuNs: map[workload.Kind]float64{}, units: map[workload.Kind]float64{}}
	for k, ns := range unitCostPriors {
		u.units[k] = unitCostMemory / 10
		u.cpuNs[k] = ns * unitCostMemory / 10
	}
	return u
}

// Observe learns that a request of kind did units of work in cpu time.
// Nonsense (no units, no time, a cost per unit outside [1e-6, 1e9] ns) and
// unknown workloads are ignored.
func (u *UnitCosts) Observe(kind workload.Kind, units int64, cpu time.Duration) {
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

// NsPerUnit is kind's learnt CPU cost of one unit, in nanoseconds.
func (u *UnitCosts) NsPerUnit(kind workload.Kind) float64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.nsPerUnitLocked(kind)
}

func (u *UnitCosts) nsPerUnitLocked(kind workload.Kind) float64 {
	if n := u.units[kind]; n > 0 {
		return u.cpuNs[kind] / n
	}
	return unitCostPriors[workload.Raytracer]
}

// Weight converts kind's units into ray-tracer equivalent units.
func (u *UnitCosts) Weight(kind workload.Kind) float64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.nsPerUnitLocked(kind) / u.nsPerUnitLocked(workload.Raytracer)
}

// CPU is the CPU time units of kind take on a worker of relative speed
// speed (1: as fast as the workers the costs were learnt on; 0.5: half as
// fast). A speed that is not positive counts as 1.
func (u *UnitCosts) CPU(kind workload.Kind, units, speed float64) time.Duration {
	if !(speed > 0) || math.IsInf(speed, 0) {
		speed = 1
	}
	ns := max(0, units) * u.NsPerUnit(kind) / speed
	if !(ns < math.MaxInt64) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}

// UnitCost is one workload's learnt cost per unit.
type UnitCost struct {
	// NsPerUnit is the learnt CPU nanoseconds of one unit.
	NsPerUnit float64 `json:"cpu_ns_per_unit"`
	// Weight converts the workload's units into ray-tracer equivalent
	// units, the unit the pool's predicted work and speeds are in.
	Weight float64 `json:"weight"`
}

// Snapshot is every workload's learnt cost per unit.
func (u *UnitCosts) Snapshot() map[workload.Kind]UnitCost {
	out := map[workload.Kind]UnitCost{}
	for _, k := range workload.Kinds {
		out[k] = UnitCost{NsPerUnit: u.NsPerUnit(k), Weight: u.Weight(k)}
	}
	return out
}
