package balancer

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

// RoundRobin sends requests to the eligible workers in turn, skipping those
// that are not eligible. It is safe for concurrent use: the turn is an
// atomic cursor, advanced past the worker picked.
type RoundRobin struct {
	next atomic.Uint64 // index to try first
}

// Pick implements Policy; rng is unused.
func (p *RoundRobin) Pick(_ Request, workers []WorkerState, _ *rand.Rand) (int, error) {
	n := len(workers)
	if n == 0 {
		return -1, ErrNoWorker
	}
	for {
		cur := p.next.Load()
		start := int(cur % uint64(n))
		pick := -1
		for k := range n {
			if i := (start + k) % n; Eligible(workers[i]) {
				pick = i
				break
			}
		}
		if pick < 0 {
			return -1, ErrNoWorker
		}
		if p.next.CompareAndSwap(cur, uint64(pick)+1) {
			return pick, nil
		}
	}
}

// Reason implements Reasoner: "round-robin: w2 is next in turn (3 of 4
// eligible)".
func (*RoundRobin) Reason(_ Request, workers []WorkerState, idx int) string {
	if s, bad := badIndex("round-robin", workers, idx); bad {
		return s
	}
	eligible := 0
	for _, w := range workers {
		if Eligible(w) {
			eligible++
		}
	}
	return fmt.Sprintf("round-robin: %s is next in turn (%d of %d eligible)", workers[idx].ID, eligible, len(workers))
}
