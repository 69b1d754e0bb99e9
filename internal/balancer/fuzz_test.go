package balancer

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzPick decodes arbitrary bytes into a snapshot (any floats, including
// NaN and Inf) and checks that every policy returns an eligible worker, or
// ErrNoWorker exactly when none is eligible, and that its reason renders.
func FuzzPick(f *testing.F) {
	f.Add([]byte{}, 1.0)
	f.Add([]byte("\x01\x02\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x59\x40"), 5.0)
	f.Add(make([]byte, 130), math.NaN())
	f.Fuzz(func(t *testing.T, data []byte, units float64) {
		const rec = 26 // flags, in-flight, max, three float64
		var ws []WorkerState
		for len(data) >= rec && len(ws) < 64 {
			w := WorkerState{
				ID:            "w",
				Ready:         data[0]&1 == 1,
				InFlight:      int(data[1]),
				MaxInFlight:   int(data[0] >> 4),
				PredictedLeft: math.Float64frombits(binary.LittleEndian.Uint64(data[2:])),
				Speed:         math.Float64frombits(binary.LittleEndian.Uint64(data[10:])),
				CPUPercent:    math.Float64frombits(binary.LittleEndian.Uint64(data[18:])),
				Cores:         float64(data[0]>>1&3) / 2, // 0 (unknown) to 1.5
			}
			if data[0]&8 != 0 { // work left per request: any floats, unsorted
				w.Left = []float64{w.PredictedLeft, w.Speed, w.CPUPercent}
			}
			ws = append(ws, w)
			data = data[rec:]
		}
		anyEligible := false
		for _, w := range ws {
			anyEligible = anyEligible || Eligible(w)
		}
		req := Request{Units: units}
		partial := NewCost() // a cost policy that half trusts its predictions
		for i := range 100 {
			obs := time.Duration(100 + 150*(i%2))
			partial.Drift.Observe(time.Unix(int64(i), 0), 100, obs)
		}
		for _, name := range append(allPolicies, "cost-partial") {
			p, _ := New(name)
			if name == "cost-partial" {
				p = partial
			}
			idx, err := p.Pick(req, ws, rand.New(rand.NewPCG(1, 2)))
			if !anyEligible {
				if !errors.Is(err, ErrNoWorker) || idx != -1 {
					t.Fatalf("%s: Pick = %d, %v with no eligible worker", name, idx, err)
				}
				continue
			}
			if err != nil || idx < 0 || idx >= len(ws) || !Eligible(ws[idx]) {
				t.Fatalf("%s: Pick = %d, %v: not an eligible worker", name, idx, err)
			}
			if Explain(p, req, ws, idx) == "" {
				t.Fatalf("%s: empty reason", name)
			}
		}
	})
}
