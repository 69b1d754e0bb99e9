package balancer

import (
	"fmt"
	"math/rand/v2"
)

// Cost sends a request to the worker predicted to finish it soonest:
// minimum (PredictedLeft + Units) / Speed over the eligible workers, ties
// broken by fewer in-flight requests, then by lower index. It is the
// default policy.
type Cost struct{}

// Pick implements Policy; rng is unused.
func (Cost) Pick(req Request, workers []WorkerState, _ *rand.Rand) (int, error) {
	ft := newFinishTimer(req, workers)
	best, bestT := -1, 0.0
	for i := range workers {
		if !Eligible(workers[i]) {
			continue
		}
		t := ft.at(i)
		if best < 0 || t < bestT || (t == bestT && workers[i].InFlight < workers[best].InFlight) {
			best, bestT = i, t
		}
	}
	if best < 0 {
		return -1, ErrNoWorker
	}
	return best, nil
}

// Reason implements Reasoner: "cost: w2 finishes in 0.84s vs next best w1
// 1.20s".
func (Cost) Reason(req Request, workers []WorkerState, idx int) string {
	if s, bad := badIndex("cost", workers, idx); bad {
		return s
	}
	ft := newFinishTimer(req, workers)
	t := ft.at(idx)
	next := runnerUp(workers, idx, func(i, j int) bool { return ft.at(i) < ft.at(j) })
	if next < 0 {
		return fmt.Sprintf("cost: %s finishes in %s (the only eligible worker)", workers[idx].ID, seconds(t))
	}
	return fmt.Sprintf("cost: %s finishes in %s vs next best %s %s", workers[idx].ID, seconds(t), workers[next].ID, seconds(ft.at(next)))
}
