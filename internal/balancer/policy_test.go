package balancer

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ready is an eligible worker with the given backlog and speed.
func ready(id string, inFlight int, left, speed float64) WorkerState {
	return WorkerState{ID: id, Ready: true, InFlight: inFlight, PredictedLeft: left, Speed: speed, CPUPercent: -1}
}

func withCPU(w WorkerState, cpu float64) WorkerState { w.CPUPercent = cpu; return w }

func notReady(w WorkerState) WorkerState { w.Ready = false; return w }

func full(w WorkerState) WorkerState { w.MaxInFlight = w.InFlight; return w }

var allPolicies = []string{"cost", "least-requests", "round-robin", "p2c", "cpu"}

// TestPick runs every policy over the same snapshots. want maps a policy
// to the index it must pick (-1: ErrNoWorker); a policy missing from want
// is not pinned for that case (p2c with more than two eligible workers is
// random), but its pick must still be eligible.
func TestPick(t *testing.T) {
	all := func(i int) map[string]int {
		return map[string]int{"cost": i, "least-requests": i, "round-robin": i, "p2c": i, "cpu": i}
	}
	tests := []struct {
		name    string
		req     Request
		workers []WorkerState
		want    map[string]int
	}{
		{"empty pool", Request{Units: 1}, nil, all(-1)},
		{"none ready", Request{Units: 1}, []WorkerState{notReady(ready("a", 0, 0, 1)), notReady(ready("b", 0, 0, 1))}, all(-1)},
		{"all full", Request{Units: 1}, []WorkerState{full(ready("a", 2, 5, 1)), full(ready("b", 1, 1, 1))}, all(-1)},
		{"draining workers skipped", Request{Units: 1}, []WorkerState{
			notReady(withCPU(ready("draining", 0, 0, 100), 0)), withCPU(ready("busy", 3, 50, 1), 90),
		}, all(1)},
		{"full worker skipped", Request{Units: 1}, []WorkerState{
			full(withCPU(ready("full", 1, 0, 100), 0)), withCPU(ready("slow", 4, 80, 1), 99),
		}, all(1)},
		{"no limit when MaxInFlight is 0", Request{Units: 1}, []WorkerState{ready("a", 1000, 1e6, 1)}, all(0)},
		// fast: (100+100)/10 = 20 s; idle: 100/1 = 100 s.
		{"fast busy worker beats slow idle one", Request{Units: 100}, []WorkerState{
			withCPU(ready("fast", 1, 100, 10), 90), withCPU(ready("idle", 0, 0, 1), 10),
		}, map[string]int{"cost": 0, "least-requests": 1, "round-robin": 0, "p2c": 0, "cpu": 1}},
		{"ties broken by fewer in flight then index", Request{Units: 5}, []WorkerState{
			ready("a", 2, 10, 1), ready("b", 1, 10, 1), ready("c", 1, 10, 1),
		}, map[string]int{"cost": 1, "least-requests": 1, "round-robin": 0, "cpu": 1}},
		// Known speeds 1 and 4: median 2.5. Cost (added latency under
		// processor sharing): a = 10/2.5 = 4 s; b = (10 + 2×10)/1 = 30 s;
		// c = (10 + 2×10)/4 = 7.5 s. Were unknown taken as 1, a would be
		// 10 s and c would win.
		{"unknown speed takes the median of known ones", Request{Units: 10}, []WorkerState{
			ready("a", 0, 0, 0), ready("b", 1, 50, 1), ready("c", 1, 1000, 4),
		}, map[string]int{"cost": 0, "least-requests": 0, "round-robin": 0}},
		// Both speeds 1: finish times a (5+1) = 6 s, b (3+1) = 4 s; the
		// latency added by processor sharing is 3 s on either (1 + 2×1),
		// so cost breaks the tie by fewer in flight.
		{"all speeds unknown count as 1", Request{Units: 1}, []WorkerState{
			ready("a", 0, 5, 0), ready("b", 1, 3, math.NaN()),
		}, map[string]int{"cost": 0, "least-requests": 0, "round-robin": 0, "p2c": 1, "cpu": 0}},
		{"nonsense backlog counts as none", Request{Units: math.NaN()}, []WorkerState{
			ready("a", 0, 7, 1), ready("b", 0, math.NaN(), 1), ready("c", 0, -50, 1),
		}, map[string]int{"cost": 1, "least-requests": 1, "round-robin": 0, "cpu": 0}},
		// By finish time an infinite backlog is never preferred; under
		// processor sharing one endless request only halves the new one's
		// speed (added 3 s), while five others cut it to a sixth (11 s).
		{"infinite backlog never preferred by finish time", Request{Units: 1}, []WorkerState{
			ready("a", 0, math.Inf(1), 1), ready("b", 5, 1e300, 1),
		}, map[string]int{"cost": 0, "least-requests": 0, "p2c": 1}},
		{"unknown CPU counts as 100", Request{Units: 1}, []WorkerState{
			withCPU(ready("a", 0, 0, 1), -1), withCPU(ready("b", 3, 0, 1), 95), withCPU(ready("c", 0, 0, 1), math.NaN()),
		}, map[string]int{"cpu": 1, "cost": 0, "least-requests": 0, "round-robin": 0}},
		{"all CPU unknown: fewest in flight", Request{Units: 1}, []WorkerState{
			ready("a", 4, 0, 1), ready("b", 2, 0, 1), ready("c", 2, 0, 1),
		}, map[string]int{"cpu": 1}},
		{"lowest CPU", Request{Units: 1}, []WorkerState{
			withCPU(ready("a", 0, 0, 1), 50), withCPU(ready("b", 9, 0, 1), 20), withCPU(ready("c", 0, 0, 1), 30),
		}, map[string]int{"cpu": 1}},
	}
	for _, tc := range tests {
		for _, name := range allPolicies {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				p, err := New(name)
				if err != nil {
					t.Fatal(err)
				}
				got, err := p.Pick(tc.req, tc.workers, rand.New(rand.NewPCG(1, 1)))
				anyEligible := false
				for _, w := range tc.workers {
					anyEligible = anyEligible || Eligible(w)
				}
				if !anyEligible {
					if !errors.Is(err, ErrNoWorker) || got != -1 {
						t.Fatalf("Pick = %d, %v; want -1, ErrNoWorker", got, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("Pick error: %v", err)
				}
				if got < 0 || got >= len(tc.workers) || !Eligible(tc.workers[got]) {
					t.Fatalf("Pick = %d, not an eligible worker", got)
				}
				if want, ok := tc.want[name]; ok && got != want {
					t.Errorf("Pick = %d (%s), want %d (%s)", got, tc.workers[got].ID, want, tc.workers[want].ID)
				}
			})
		}
	}
}

// TestCostNeverPicksWorseFinish is a property test over random snapshots:
// the cost policy's pick (fully trusted) adds no more latency than any
// other eligible worker would,
// and every policy picks an eligible worker or reports ErrNoWorker exactly
// when none is eligible.
func TestCostNeverPicksWorseFinish(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	policies := make(map[string]Policy)
	for _, n := range allPolicies {
		p, err := New(n)
		if err != nil {
			t.Fatal(err)
		}
		policies[n] = p
	}
	for iter := range 3000 {
		n := rng.IntN(12)
		workers := make([]WorkerState, n)
		for i := range workers {
			w := WorkerState{
				ID:            "w",
				Ready:         rng.IntN(5) > 0,
				InFlight:      rng.IntN(6),
				MaxInFlight:   rng.IntN(6),
				PredictedLeft: math.Floor(rng.Float64() * 1000),
				Speed:         float64(rng.IntN(4)) * 10, // some unknown (0)
				CPUPercent:    float64(rng.IntN(120) - 20),
			}
			if rng.IntN(20) == 0 {
				w.PredictedLeft = math.NaN()
			}
			workers[i] = w
		}
		req := Request{Units: math.Floor(rng.Float64() * 500)}
		anyEligible := false
		for _, w := range workers {
			anyEligible = anyEligible || Eligible(w)
		}
		for name, p := range policies {
			idx, err := p.Pick(req, workers, rng)
			if !anyEligible {
				if !errors.Is(err, ErrNoWorker) {
					t.Fatalf("iter %d %s: Pick = %d, %v with no eligible worker", iter, name, idx, err)
				}
				continue
			}
			if err != nil || idx < 0 || idx >= n || !Eligible(workers[idx]) {
				t.Fatalf("iter %d %s: Pick = %d, %v: not an eligible worker", iter, name, idx, err)
			}
			if name != "cost" {
				continue
			}
			best := AddedLatency(req, workers, idx)
			for j := range workers {
				if Eligible(workers[j]) && AddedLatency(req, workers, j) < best {
					t.Fatalf("iter %d: cost picked %d adding %v but %d adds %v (%+v)",
						iter, idx, best, j, AddedLatency(req, workers, j), workers)
				}
			}
		}
	}
}

func TestSpeedFallback(t *testing.T) {
	tests := []struct {
		name   string
		speeds []float64
		want   float64
	}{
		{"none", nil, 1},
		{"all unknown", []float64{0, -1, math.NaN(), math.Inf(1)}, 1},
		{"odd", []float64{5, 0, 1, 3}, 3},
		{"even", []float64{4, 1, 0, 2, 3}, 2.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ws []WorkerState
			for _, s := range tc.speeds {
				ws = append(ws, WorkerState{Speed: s})
			}
			if got := SpeedFallback(ws); got != tc.want {
				t.Errorf("SpeedFallback = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMedianMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	if median(nil) != 0 {
		t.Error("median of nothing is not 0")
	}
	for iter := range 2000 {
		n := 1 + rng.IntN(300)
		v := make([]float64, n)
		distinct := 1 + rng.IntN(n+5) // few distinct values: many duplicates
		for i := range v {
			v[i] = float64(rng.IntN(distinct))
		}
		if iter%3 == 0 {
			slices.Sort(v) // sorted input, a classic worst case
		}
		s := slices.Clone(v)
		slices.Sort(s)
		want := s[n/2]
		if n%2 == 0 {
			want = (s[n/2-1] + s[n/2]) / 2
		}
		if got := median(v); got != want {
			t.Fatalf("median of %v = %v, want %v", s, got, want)
		}
	}
}
