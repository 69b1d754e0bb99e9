package estimator

import (
	"math"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// FuzzEstimate checks that any features (probed or not) and any observed
// units keep every prediction well formed: no NaN, no Inf, Low <= Units <= High, confidence
// in [0, 1].
func FuzzEstimate(f *testing.F) {
	f.Add(uint8(0), 400, 300, 4, 3, 0, 0, true, 1.5e6, "abc")
	f.Add(uint8(1), 640, 480, 0, 0, 0, 0, false, 1.2e8, "")
	f.Add(uint8(2), -1, 1<<40, 1<<40, -7, 1<<40, 3, false, math.NaN(), "x")
	f.Add(uint8(3), 0, 0, 0, 0, 0, 0, false, 0.0, "")
	f.Fuzz(func(t *testing.T, kind uint8, w, h, shapes, lights, refl, trans int, aa bool, units float64, hash string) {
		kinds := []workload.Kind{workload.Raytracer, workload.Blur, workload.Enhance, "other"}
		ft := workload.Features{
			Kind: kinds[int(kind)%len(kinds)], WCols: w, WRows: h, SCols: w, SRows: h, Width: w, Height: h,
			Shapes: shapes, Lights: lights, Reflective: refl, Transparent: trans, AA: aa,
			InputBytes: shapes, TexmapBytes: lights, InputHash: hash,
		}
		m := New(Options{Window: 8, MemorySize: 4})
		checkCost(t, m.Estimate(ft), DefaultMaxUnits)
		for i := range 12 {
			g := ft
			g.WCols, g.Width = w/(i+1), w/(i+1)
			if i%2 == 1 {
				g.ProbeUnits = units * float64(i-3) // any value, NaN, Inf and negative ones included
			}
			m.Observe(time.Unix(int64(i), 0), g, units*float64(i))
			checkCost(t, m.Estimate(ft), DefaultMaxUnits)
			checkCost(t, m.Estimate(g), DefaultMaxUnits)
		}
		mape, _ := m.Accuracy(ft.Kind)
		if math.IsNaN(mape) || math.IsInf(mape, 0) || mape < 0 {
			t.Fatalf("MAPE = %v", mape)
		}
	})
}
