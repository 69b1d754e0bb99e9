package runner

import (
	"strconv"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// launchingPrefix starts the IDs of the stand-ins for workers being
// launched, which the policy sees as booting.
const launchingPrefix = "(launching "

// observe snapshots the pool and builds the policy's observation: the
// pool's workers, one booting stand-in for each worker still being
// launched that the pool does not show yet, the queue, and the predicted
// units that arrived since the previous observation.
func (r *Runner) observe() (PoolSnapshot, autoscaler.Observation) {
	r.mu.Lock()
	snap := r.pool.Snapshot()
	stand := r.standInsLocked(snap)
	arrived := snap.ArrivedUnits - r.lastArrived
	if arrived < 0 {
		// The load balancer's counter restarted.
		arrived = snap.ArrivedUnits
	}
	r.lastArrived = snap.ArrivedUnits
	r.mu.Unlock()

	obs := autoscaler.Observation{
		Workers:      make([]autoscaler.Worker, 0, len(snap.Workers)+stand),
		QueuedUnits:  snap.QueuedUnits,
		QueueLen:     snap.QueueLen,
		ArrivedUnits: arrived,
	}
	for _, w := range snap.Workers {
		obs.Workers = append(obs.Workers, w.Worker)
	}
	for i := range stand {
		// No launch time: a stand-in is never due for replacement; the
		// provider's Launch bounds how long it lasts.
		obs.Workers = append(obs.Workers, autoscaler.Worker{
			ID:         launchingPrefix + strconv.Itoa(i+1) + ")",
			State:      lifecycle.Booting,
			CPUPercent: -1,
		})
	}
	return snap, obs
}

// standInsLocked is how many workers being launched the snapshot does not
// show yet. A provider may list a worker (and the pool pick it up) before
// its Launch returns: every worker of the pool that was not known when the
// launches began counts as one of them.
func (r *Runner) standInsLocked(snap PoolSnapshot) int {
	if r.outstanding == 0 {
		return 0
	}
	newcomers := 0
	for _, w := range snap.Workers {
		if !r.baseline[w.ID] {
			newcomers++
		}
	}
	return max(r.outstanding-newcomers, 0)
}
