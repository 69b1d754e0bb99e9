package balancer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Cost sends a request where it adds the least total latency: its own
// predicted finish time plus the delay it causes the requests in flight
// there, with each worker sharing its cores among its requests (see
// AddedLatency). A fast busy worker beats a slow idle one when it finishes
// sooner; a small request avoids a worker whose in-flight requests are
// also small (it would slow each of them).
//
// It watches its own predictions (Drift): when the service requests were
// predicted to need and the service they got drift apart, it blends
// towards least-requests, ranking
// by trust × added/best added + (1 − trust) × (in flight + 1)/(fewest + 1),
// so stale speeds on CPU-starved workers cannot make it much worse than
// counting requests. Ties go to fewer in-flight requests, less work left,
// then lower index. It is the default policy. The zero Cost trusts its
// predictions always.
type Cost struct {
	Drift *Drift // nil: full trust
}

// NewCost returns a cost policy with drift tracking at default settings.
func NewCost() Cost { return Cost{Drift: NewDrift(DriftOptions{})} }

// ObserveCompletion implements CompletionObserver.
func (c Cost) ObserveCompletion(now time.Time, predicted, observed time.Duration) {
	if c.Drift != nil {
		c.Drift.Observe(now, predicted, observed)
	}
}

// DriftState implements DriftReporter: full trust when Drift is nil.
func (c Cost) DriftState() DriftState { return c.Drift.State() }

// Pick implements Policy; rng is unused.
func (c Cost) Pick(req Request, workers []WorkerState, _ *rand.Rand) (int, error) {
	best, _ := c.rank(req, workers, -1)
	if best < 0 {
		return -1, ErrNoWorker
	}
	return best, nil
}

// rank returns the best eligible worker and the runner-up (-1 for none);
// with pinned >= 0, best is pinned and next the best of the others.
func (c Cost) rank(req Request, workers []WorkerState, pinned int) (best, next int) {
	trust := c.Drift.Trust()
	sc := costScratch.Get().(*costBufs)
	defer costScratch.Put(sc)
	pt := newPSTimer(req, workers)
	pt.buf = sc.left[:0]
	added := sc.added[:0]
	minAdded, minN := math.Inf(1), math.MaxInt
	for i := range workers {
		a := math.Inf(1)
		if Eligible(workers[i]) {
			minN = min(minN, workers[i].InFlight)
			if trust > 0 {
				a, _ = pt.at(i)
				minAdded = min(minAdded, a)
			}
		}
		added = append(added, a)
	}
	sc.added, sc.left = added[:0], pt.buf[:0]
	if minN == math.MaxInt {
		return -1, -1
	}
	score := func(i int) float64 {
		w := &workers[i]
		s := (1 - trust) * float64(w.InFlight+1) / float64(minN+1)
		if trust > 0 {
			a := added[i]
			if minAdded > 0 && !math.IsInf(minAdded, 1) {
				s += trust * a / minAdded
			} else if a > minAdded {
				s = math.Inf(1)
			}
		}
		return s
	}
	better := func(i int, si float64, j int, sj float64) bool {
		if si != sj {
			return si < sj
		}
		if workers[i].InFlight != workers[j].InFlight {
			return workers[i].InFlight < workers[j].InFlight
		}
		return nonNeg(workers[i].PredictedLeft) < nonNeg(workers[j].PredictedLeft)
	}
	best, next = pinned, -1
	var bestS, nextS float64
	for i := range workers {
		if !Eligible(workers[i]) || i == pinned {
			continue
		}
		s := score(i)
		switch {
		case pinned < 0 && (best < 0 || better(i, s, best, bestS)):
			next, nextS = best, bestS
			best, bestS = i, s
		case next < 0 || better(i, s, next, nextS):
			next, nextS = i, s
		}
	}
	return best, next
}

// costBufs are the scratch buffers of one ranking.
type costBufs struct{ added, left []float64 }

var costScratch = sync.Pool{New: func() any { return new(costBufs) }}

// Reason implements Reasoner: "cost: w2 adds 0.84s (finishes in 0.50s) vs
// next best w1 1.20s, trust 100%".
func (c Cost) Reason(req Request, workers []WorkerState, idx int) string {
	if s, bad := badIndex("cost", workers, idx); bad {
		return s
	}
	trust := c.Drift.Trust()
	pt := newPSTimer(req, workers)
	a, f := pt.at(idx)
	_, next := c.rank(req, workers, idx)
	if next < 0 {
		return fmt.Sprintf("cost: %s adds %s (finishes in %s; the only eligible worker), trust %.0f%%",
			workers[idx].ID, seconds(a), seconds(f), 100*trust)
	}
	na, _ := pt.at(next)
	return fmt.Sprintf("cost: %s adds %s (finishes in %s) vs next best %s %s, trust %.0f%%",
		workers[idx].ID, seconds(a), seconds(f), workers[next].ID, seconds(na), 100*trust)
}
