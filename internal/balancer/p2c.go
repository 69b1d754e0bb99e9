package balancer

import (
	"fmt"
	"math/rand/v2"
)

// P2C (power of two choices) draws two distinct eligible workers at random
// and sends the request to the one predicted to finish it sooner (ties:
// fewer in-flight requests, then lower index). It spreads load like cost
// does while tolerating stale snapshots better. With a nil rng it draws
// from math/rand/v2's global source (not reproducible).
type P2C struct{}

// Pick implements Policy. It draws by rejection sampling, which takes a
// few draws when most workers are eligible, and falls back to counting the
// eligible ones when that fails.
func (P2C) Pick(req Request, workers []WorkerState, rng *rand.Rand) (int, error) {
	intN := rand.IntN
	if rng != nil {
		intN = rng.IntN
	}
	i, j, ok := drawTwo(workers, intN)
	if !ok {
		m := 0
		for k := range workers {
			if Eligible(workers[k]) {
				m++
			}
		}
		switch m {
		case 0:
			return -1, ErrNoWorker
		case 1:
			return nthEligible(workers, 0), nil
		}
		a := intN(m)
		b := intN(m - 1)
		if b >= a {
			b++
		}
		i, j = nthEligible(workers, a), nthEligible(workers, b)
	}
	if i > j {
		i, j = j, i
	}
	ft := newFinishTimer(req, workers)
	ti, tj := ft.at(i), ft.at(j)
	if tj < ti || (tj == ti && workers[j].InFlight < workers[i].InFlight) {
		return j, nil
	}
	return i, nil
}

// rejectionDraws bounds the random draws drawTwo makes.
const rejectionDraws = 32

// drawTwo draws two distinct eligible workers uniformly at random by
// rejection, reporting false if rejectionDraws draws did not find them.
func drawTwo(workers []WorkerState, intN func(int) int) (int, int, bool) {
	n := len(workers)
	if n < 2 {
		return 0, 0, false
	}
	first := -1
	for range rejectionDraws {
		k := intN(n)
		if k == first || !Eligible(workers[k]) {
			continue
		}
		if first < 0 {
			first = k
			continue
		}
		return first, k, true
	}
	return 0, 0, false
}

// nthEligible returns the index of the n-th (from 0) eligible worker, or -1.
func nthEligible(workers []WorkerState, n int) int {
	for i := range workers {
		if Eligible(workers[i]) {
			if n == 0 {
				return i
			}
			n--
		}
	}
	return -1
}

// Reason implements Reasoner: "p2c: w2 finishes in 0.84s, better of two
// random choices (best of all w1 0.50s)".
func (P2C) Reason(req Request, workers []WorkerState, idx int) string {
	if s, bad := badIndex("p2c", workers, idx); bad {
		return s
	}
	ft := newFinishTimer(req, workers)
	t := ft.at(idx)
	best := idx
	for i := range workers {
		if Eligible(workers[i]) && ft.at(i) < ft.at(best) {
			best = i
		}
	}
	if best == idx {
		return fmt.Sprintf("p2c: %s finishes in %s, better of two random choices (also best of all)", workers[idx].ID, seconds(t))
	}
	return fmt.Sprintf("p2c: %s finishes in %s, better of two random choices (best of all %s %s)",
		workers[idx].ID, seconds(t), workers[best].ID, seconds(ft.at(best)))
}
