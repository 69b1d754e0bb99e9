package autoscaler

import (
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// Worker is a value snapshot of one worker.
type Worker struct {
	ID string
	// State is the worker's state. Draining and terminated workers are not
	// part of the pool; a value that is not a lifecycle state is treated
	// like unhealthy.
	State      lifecycle.State
	LaunchedAt time.Time // zero = unknown

	InFlight      int     // requests running on it
	PredictedLeft float64 // predicted work units still to do for its in-flight requests

	// Speed is the work units per second the worker does at full load;
	// 0 means unknown, in which case the median of the known speeds of the
	// pool, or Config.DefaultSpeed when none is known, stands in for it.
	Speed float64

	CPUPercent float64 // average CPU utilisation in percent; negative = unknown

	// UnhealthySince is when the worker started failing health checks.
	// Zero means unknown: the policy then counts from the first
	// observation in which it saw the worker unhealthy.
	UnhealthySince time.Time
}

// Observation is what a policy sees at one evaluation.
type Observation struct {
	Workers []Worker

	QueuedUnits float64 // predicted work units waiting in the load balancer's queue
	QueueLen    int     // requests waiting in the load balancer's queue

	// ArrivedUnits is the predicted work of the requests that arrived since
	// the previous observation. Policies keep their own time windows over it.
	ArrivedUnits float64
}

// PoolSize is the number of workers that are part of the pool: every worker
// that is neither draining nor terminated (ready, booting and unhealthy
// ones).
func (o Observation) PoolSize() int {
	n := 0
	for _, w := range o.Workers {
		if w.State != lifecycle.Draining && w.State != lifecycle.Terminated {
			n++
		}
	}
	return n
}

// Decision is what a policy wants done.
type Decision struct {
	Desired int      // target pool size: ready + booting workers, excluding draining ones
	Launch  int      // workers to launch now
	Drain   []string // ready workers to drain and then terminate, least predicted work left first
	Replace []string // unhealthy workers to terminate; Launch already includes their replacements
	Panic   bool     // the policy is in panic mode
	Reason  string   // one sentence with the numbers that drove the decision
}

// Changed reports whether the decision asks for any action.
func (d Decision) Changed() bool {
	return d.Launch > 0 || len(d.Drain) > 0 || len(d.Replace) > 0
}

// Policy decides the pool size. Implementations may keep state between
// calls (time windows) but take the time only from now, and are not safe for
// concurrent use: one loop or one simulation drives a policy.
type Policy interface {
	Decide(now time.Time, obs Observation) Decision
}
