package proxy

import (
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/workload"
)

// unitCosts are the workloads' learnt CPU costs per work unit
// (estimator.UnitCosts): routing adds work of different workloads
// together (the work left on a worker, the queue's backlog) in ray-tracer
// equivalent units, a request's predicted units times its weight.
type unitCosts struct{ u *estimator.UnitCosts }

// newUnitCosts returns unit costs that know only the priors.
func newUnitCosts() *unitCosts { return &unitCosts{estimator.NewUnitCosts()} }

// unitCostsOf is the estimator's own unit costs when it has them (an
// *estimator.Model does), so that its predictions in CPU time follow what
// the load balancer learns; else fresh ones.
func unitCostsOf(e Estimator) *unitCosts {
	if m, ok := e.(interface{ UnitCosts() *estimator.UnitCosts }); ok && m.UnitCosts() != nil {
		return &unitCosts{m.UnitCosts()}
	}
	return newUnitCosts()
}

// observe learns that a request of kind did units of work in cpu time.
func (u *unitCosts) observe(kind workload.Kind, units int64, cpu time.Duration) {
	u.u.Observe(kind, units, cpu)
}

// nsPerUnit is kind's learnt CPU cost of one unit.
func (u *unitCosts) nsPerUnit(kind workload.Kind) float64 { return u.u.NsPerUnit(kind) }

// weight converts kind's units into ray-tracer equivalent units.
func (u *unitCosts) weight(kind workload.Kind) float64 { return u.u.Weight(kind) }

// UnitCost is one workload's cost per unit in the state API.
type UnitCost = estimator.UnitCost

func (u *unitCosts) snapshot() map[workload.Kind]UnitCost { return u.u.Snapshot() }
