package balancer

import (
	"fmt"
	"math/rand/v2"
)

// CPU is the original system's policy: send the request to the eligible
// worker with the lowest reported CPU utilisation. A worker whose CPU is
// unknown counts as 100 % busy, so known idle workers are preferred; when
// every worker is unknown they tie. Ties go to fewer in-flight requests,
// then lower index.
type CPU struct{}

// Pick implements Policy; rng is unused.
func (CPU) Pick(_ Request, workers []WorkerState, _ *rand.Rand) (int, error) {
	best := -1
	for i := range workers {
		if !Eligible(workers[i]) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		c, bc := cpuLoad(workers[i]), cpuLoad(workers[best])
		if c < bc || (c == bc && workers[i].InFlight < workers[best].InFlight) {
			best = i
		}
	}
	if best < 0 {
		return -1, ErrNoWorker
	}
	return best, nil
}

// Reason implements Reasoner: "cpu: w2 at 12% CPU vs next best w1 at 30%".
func (CPU) Reason(_ Request, workers []WorkerState, idx int) string {
	if s, bad := badIndex("cpu", workers, idx); bad {
		return s
	}
	next := runnerUp(workers, idx, func(i, j int) bool { return cpuLoad(workers[i]) < cpuLoad(workers[j]) })
	if next < 0 {
		return fmt.Sprintf("cpu: %s at %s CPU (the only eligible worker)", workers[idx].ID, cpuText(workers[idx]))
	}
	return fmt.Sprintf("cpu: %s at %s CPU vs next best %s at %s", workers[idx].ID, cpuText(workers[idx]), workers[next].ID, cpuText(workers[next]))
}

func cpuText(w WorkerState) string {
	if w.CPUPercent >= 0 {
		return fmt.Sprintf("%.0f%%", w.CPUPercent)
	}
	return "unknown"
}
