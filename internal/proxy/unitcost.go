package proxy

import (
	"github.com/specialvfx/vfx/internal/estimator"
)

// unitCostsOf is the estimator's own unit costs when it has them (an
// *estimator.Model does), so that its predictions in CPU time follow what
// the load balancer learns; else fresh ones that know only the priors.
// Routing adds work of different workloads together (the work left on a
// worker, the queue's backlog) in ray-tracer equivalent units: a
// request's predicted units times its workload's Weight.
func unitCostsOf(e Estimator) *estimator.UnitCosts {
	if m, ok := e.(interface{ UnitCosts() *estimator.UnitCosts }); ok && m.UnitCosts() != nil {
		return m.UnitCosts()
	}
	return estimator.NewUnitCosts()
}

// UnitCost is one workload's cost per unit in the state API.
type UnitCost = estimator.UnitCost
