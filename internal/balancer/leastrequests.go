package balancer

import (
	"fmt"
	"math/rand/v2"
)

// LeastRequests sends a request to the eligible worker with the fewest
// in-flight requests, ties broken by the sooner predicted finish, then by
// lower index.
type LeastRequests struct{}

// Pick implements Policy; rng is unused.
func (LeastRequests) Pick(req Request, workers []WorkerState, _ *rand.Rand) (int, error) {
	ft := newFinishTimer(req, workers)
	best, bestT := -1, 0.0
	for i := range workers {
		w := &workers[i]
		if !Eligible(*w) {
			continue
		}
		if best >= 0 && w.InFlight > workers[best].InFlight {
			continue
		}
		t := ft.at(i)
		if best < 0 || w.InFlight < workers[best].InFlight || t < bestT {
			best, bestT = i, t
		}
	}
	if best < 0 {
		return -1, ErrNoWorker
	}
	return best, nil
}

// Reason implements Reasoner: "least-requests: w3 has 1 in flight vs next
// best w1 with 2".
func (LeastRequests) Reason(_ Request, workers []WorkerState, idx int) string {
	if s, bad := badIndex("least-requests", workers, idx); bad {
		return s
	}
	next := runnerUp(workers, idx, func(i, j int) bool { return workers[i].InFlight < workers[j].InFlight })
	if next < 0 {
		return fmt.Sprintf("least-requests: %s has %d in flight (the only eligible worker)", workers[idx].ID, workers[idx].InFlight)
	}
	return fmt.Sprintf("least-requests: %s has %d in flight vs next best %s with %d",
		workers[idx].ID, workers[idx].InFlight, workers[next].ID, workers[next].InFlight)
}
