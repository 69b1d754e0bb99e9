package balancer

import (
	"math/rand/v2"
	"testing"
)

func TestP2CPicksBetterOfTwo(t *testing.T) {
	// Finish times: a 1 s, b 2 s, c 3 s. With three eligible workers the
	// pairs {a,b}, {a,c}, {b,c} are equally likely: a wins 2/3, b 1/3 and c,
	// worse than any partner, never.
	workers := []WorkerState{ready("a", 0, 0, 1), ready("b", 0, 1, 1), ready("c", 0, 2, 1), notReady(ready("d", 0, 0, 1))}
	rng := rand.New(rand.NewPCG(9, 9))
	var counts [4]int
	const n = 6000
	for range n {
		i, err := P2C{}.Pick(Request{Units: 1}, workers, rng)
		if err != nil {
			t.Fatal(err)
		}
		counts[i]++
	}
	if counts[2] != 0 || counts[3] != 0 {
		t.Errorf("picked the worst or a non-ready worker: %v", counts)
	}
	if share := float64(counts[0]) / n; share < 0.63 || share > 0.70 {
		t.Errorf("best worker share %.3f, want about 2/3 (%v)", share, counts)
	}
}

func TestP2CIsReproducibleWithASeed(t *testing.T) {
	workers := make([]WorkerState, 50)
	for i := range workers {
		workers[i] = ready("w", i%3, float64(i%7), 1)
	}
	run := func() []int {
		rng := rand.New(rand.NewPCG(5, 6))
		var out []int
		for range 100 {
			i, err := P2C{}.Pick(Request{Units: 1}, workers, rng)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, i)
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("runs with the same seed differ at %d: %d vs %d", i, a[i], b[i])
		}
	}
}

func TestP2CWithoutRNG(t *testing.T) {
	workers := []WorkerState{ready("a", 0, 0, 1), ready("b", 0, 5, 1)}
	for range 20 {
		if i, err := (P2C{}).Pick(Request{Units: 1}, workers, nil); err != nil || i != 0 {
			t.Fatalf("Pick with nil rng = %d, %v; want 0", i, err)
		}
	}
}
