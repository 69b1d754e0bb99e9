package balancer

import (
	"math"
	"math/rand/v2"
	"testing"
)

func withLeft(w WorkerState, cores float64, left ...float64) WorkerState {
	w.Cores, w.Left, w.InFlight = cores, left, len(left)
	w.PredictedLeft = 0
	for _, l := range left {
		w.PredictedLeft += l
	}
	return w
}

// TestPSCost pins the processor-sharing arithmetic on small cases worked
// out by hand.
func TestPSCost(t *testing.T) {
	tests := []struct {
		name               string
		left               []float64
		u, cores           float64
		wantAdded, wantFin float64
	}{
		{"idle worker", nil, 10, 1, 10, 10},
		{"idle quarter core", nil, 10, 0.25, 40, 40},
		// Both progress at half speed until the new one is done at 20; the
		// big one is delayed by 10.
		{"next to a bigger one", []float64{100}, 10, 1, 30, 20},
		// Half speed until the small one ends at 2; it is delayed by 1.
		{"next to a smaller one", []float64{1}, 10, 1, 12, 11},
		// Two cores, one request in flight: no sharing.
		{"free core", []float64{100}, 10, 2, 10, 10},
		// Two cores, two in flight: three share two cores (each 2/3).
		// f(3) - f(2) = 4.5 - 2 = 2.5 per unit; finish 1.5 per unit.
		{"cores all taken", []float64{100, 100}, 10, 2, 25, 15},
		{"one core: u + 2 Σ min(left, u)", []float64{3, 5, 50}, 4, 1, 4 + 2*(3+4+4), 3*4 + 1*3 + 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, f := psCost(tc.left, tc.u, tc.cores)
			if math.Abs(a-tc.wantAdded) > 1e-9 || math.Abs(f-tc.wantFin) > 1e-9 {
				t.Errorf("psCost = added %v, finish %v; want %v, %v", a, f, tc.wantAdded, tc.wantFin)
			}
		})
	}
}

// TestPSCostMatchesSimulation checks psCost against an event-by-event
// processor-sharing simulation on random cases.
func TestPSCostMatchesSimulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	sumFinish := func(jobs []float64, cores float64) float64 {
		left := append([]float64(nil), jobs...)
		now, sum := 0.0, 0.0
		for len(left) > 0 {
			m := float64(len(left))
			rate := min(1, cores/m)
			small := math.Inf(1)
			for _, l := range left {
				small = min(small, l)
			}
			now += small / rate
			kept := left[:0]
			for _, l := range left {
				if l -= small; l > 1e-12 {
					kept = append(kept, l)
				} else {
					sum += now
				}
			}
			left = kept
		}
		return sum
	}
	for iter := range 500 {
		n := rng.IntN(7)
		left := make([]float64, n)
		for i := range left {
			left[i] = float64(1 + rng.IntN(50))
		}
		sortFloats(left)
		u := float64(1 + rng.IntN(60))
		cores := []float64{0.25, 1, 2, 3}[rng.IntN(4)]
		want := sumFinish(append(append([]float64(nil), left...), u), cores) - sumFinish(left, cores)
		got, _ := psCost(left, u, cores)
		if math.Abs(got-want) > 1e-6*max(1, want) {
			t.Fatalf("iter %d: psCost(%v, %v, %v) = %v, simulation says %v", iter, left, u, cores, got, want)
		}
	}
}

func sortFloats(v []float64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// TestCostProcessorSharing: the cost policy's picks where processor
// sharing and finish-time ranking disagree, and on heterogeneous pools.
func TestCostProcessorSharing(t *testing.T) {
	tests := []struct {
		name    string
		units   float64
		workers []WorkerState
		want    int
	}{
		// By finish time the idle worker wins ((100+10)/4 = 27.5 s against
		// 10/0.5 = 20 s), but sharing the core with the render for 2.5 s
		// adds only (10 + 2 × 10)/4 = 7.5 s in all on "busy".
		{"long render in flight on a 1-core worker vs an idle slower worker", 10, []WorkerState{
			withLeft(ready("busy", 0, 0, 4), 1, 100), ready("idle", 0, 0, 0.5),
		}, 0},
		// The same but the idle one is only a little slower: sharing with
		// the render costs 2 × 10/4 + 10/4 = 7.5 s, alone 10/2 = 5 s.
		{"idle slightly slower worker beats sharing with a render", 10, []WorkerState{
			withLeft(ready("busy", 0, 0, 4), 1, 100), ready("idle", 0, 0, 2),
		}, 1},
		// By finish time "smalls" wins (21 s against 23 s); but next to
		// four small requests the new one delays each of them (adds 9 s),
		// next to one big render only that one (adds 3 s).
		{"small request next to a big one rather than among small ones", 1, []WorkerState{
			withLeft(ready("smalls", 0, 0, 1), 1, 5, 5, 5, 5), withLeft(ready("big", 0, 0, 1), 1, 22),
		}, 1},
		{"free core on a 2-core worker beats a shared one", 10, []WorkerState{
			withLeft(ready("one-core", 0, 0, 1), 1, 30), withLeft(ready("two-core", 0, 0, 1), 2, 30),
		}, 1},
		// Heterogeneous pool: a big render goes to the fast worker even
		// when it already runs one there.
		{"big render to the fast worker, one in flight there", 400, []WorkerState{
			withLeft(ready("fast", 0, 0, 4), 1, 100), ready("slow", 0, 0, 1),
		}, 0},
		{"big render to the fast worker, quarter-core slow one idle", 400, []WorkerState{
			withLeft(ready("fast", 0, 0, 1), 1, 50, 50), withLeft(ready("slow", 0, 0, 1), 0.25),
		}, 0},
		{"big render to the fast worker, both idle", 400, []WorkerState{
			ready("slow", 0, 0, 1), ready("fast", 0, 0, 4),
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewCost().Pick(Request{Units: tc.units}, tc.workers, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Pick = %d (%s), want %d (%s)", got, tc.workers[got].ID, tc.want, tc.workers[tc.want].ID)
			}
		})
	}
}

// TestPSInFlightFallback: without Left, PredictedLeft is split evenly; an
// unsorted Left is sorted without changing the caller's slice.
func TestPSInFlightFallback(t *testing.T) {
	w := WorkerState{InFlight: 4, PredictedLeft: 20}
	got, _ := psInFlight(&w, nil)
	if len(got) != 4 || got[0] != 5 || got[3] != 5 {
		t.Errorf("split = %v, want four of 5", got)
	}
	w = WorkerState{InFlight: 3, Left: []float64{9, -1, 2}}
	got, _ = psInFlight(&w, nil)
	if len(got) != 3 || got[0] != 0 || got[1] != 2 || got[2] != 9 {
		t.Errorf("sorted = %v, want [0 2 9]", got)
	}
	if w.Left[0] != 9 {
		t.Errorf("caller's Left changed: %v", w.Left)
	}
}
