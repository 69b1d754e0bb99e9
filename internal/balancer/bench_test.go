package balancer

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPick measures one routing decision per policy over pools of 8
// and 1000 workers (a tenth of them not ready, a few speeds unknown).
func BenchmarkPick(b *testing.B) {
	for _, n := range []int{8, 1000} {
		rng := rand.New(rand.NewPCG(1, 2))
		ws := make([]WorkerState, n)
		for i := range ws {
			ws[i] = WorkerState{
				ID: fmt.Sprintf("w%d", i), Ready: i%10 != 3, InFlight: rng.IntN(8), MaxInFlight: 16,
				PredictedLeft: rng.Float64() * 1e9, Speed: 1e8 * (1 + rng.Float64()), CPUPercent: rng.Float64() * 100,
			}
			if i%50 == 7 {
				ws[i].Speed = 0
			}
		}
		req := Request{Units: 5e8}
		for _, name := range allPolicies {
			b.Run(fmt.Sprintf("%s/workers=%d", name, n), func(b *testing.B) {
				p, err := New(name)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := p.Pick(req, ws, rng); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
