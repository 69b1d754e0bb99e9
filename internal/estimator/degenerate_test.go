package estimator

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// checkCost fails unless c is a well-formed prediction.
func checkCost(t *testing.T, c Cost, maxUnits float64) {
	t.Helper()
	for _, v := range []float64{c.Units, c.Low, c.High, c.Confidence, c.CPUSeconds} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("cost %+v has a value that is NaN, infinite or negative", c)
		}
	}
	if !(c.Low <= c.Units && c.Units <= c.High) || c.High > maxUnits || c.Confidence > 1 {
		t.Fatalf("cost %+v is inconsistent (max units %v)", c, maxUnits)
	}
	switch c.Source {
	case SourcePrior, SourceModel, SourceProbe, SourceMemory:
	default:
		t.Fatalf("cost %+v has unknown source", c)
	}
}

func TestDegenerateInputs(t *testing.T) {
	const big = math.MaxInt
	tests := []struct {
		name string
		f    workload.Features
		want func(Cost) bool
	}{
		{"zero pixels raytracer", workload.Features{Kind: workload.Raytracer, Shapes: 3, Lights: 2}, func(c Cost) bool { return c.Units == 0 }},
		{"zero pixels blur", workload.Features{Kind: workload.Blur}, func(c Cost) bool { return c.Units == 0 }},
		{"negative sizes", workload.Features{Kind: workload.Enhance, Width: -10, Height: 5}, func(c Cost) bool { return c.Units == 0 }},
		{"huge window capped", workload.Features{Kind: workload.Raytracer, WCols: big, WRows: big, Shapes: big, Lights: big, Reflective: big, Transparent: big, AA: true},
			func(c Cost) bool { return c.Units == DefaultMaxUnits }},
		{"huge image capped", workload.Features{Kind: workload.Blur, Width: big, Height: big}, func(c Cost) bool { return c.Units == DefaultMaxUnits }},
		{"unknown workload", workload.Features{Kind: "teleport", Width: 3, Height: 3}, func(c Cost) bool { return c.Units == 9 && c.Source == SourcePrior }},
		{"empty features", workload.Features{}, func(c Cost) bool { return c.Units == 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Options{})
			c := m.Estimate(tc.f)
			checkCost(t, c, DefaultMaxUnits)
			if !tc.want(c) {
				t.Errorf("Estimate = %+v", c)
			}
		})
	}
}

func TestObserveRejectsBadValues(t *testing.T) {
	m := New(Options{})
	f := workload.Features{Kind: workload.Blur, Width: 10, Height: 10}
	for _, u := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1} {
		m.Observe(time.Unix(1, 0), f, u)
	}
	m.Observe(time.Unix(1, 0), workload.Features{Kind: "nope", Width: 1, Height: 1}, 5)
	for _, w := range m.Snapshot().Workloads {
		if w.Observed != 0 {
			t.Errorf("%s learnt %d bad samples", w.Workload, w.Observed)
		}
	}
	if c := m.Estimate(f); c.Source != SourcePrior {
		t.Errorf("estimate after bad samples = %+v, want the prior", c)
	}
}

func TestExtremeSamplesKeepEstimatesFinite(t *testing.T) {
	m := New(Options{})
	now := time.Unix(0, 0)
	fs := []workload.Features{
		{Kind: workload.Raytracer},
		{Kind: workload.Raytracer, WCols: 1, WRows: 1},
		{Kind: workload.Raytracer, WCols: math.MaxInt32, WRows: math.MaxInt32, Shapes: math.MaxInt32, Lights: 9},
		{Kind: workload.Raytracer, WCols: 400, WRows: 300, Shapes: 4, Lights: 3},
	}
	units := []float64{0, math.MaxFloat64, 1e300, 0, 1, 5e-300}
	for i := range 200 {
		now = now.Add(time.Millisecond)
		m.Observe(now, fs[i%len(fs)], units[i%len(units)])
	}
	for _, f := range append(fs, workload.Features{Kind: workload.Raytracer, WCols: 37, WRows: 11, Shapes: 2}) {
		checkCost(t, m.Estimate(f), DefaultMaxUnits)
	}
	mape, _ := m.Accuracy(workload.Raytracer)
	if math.IsNaN(mape) || math.IsInf(mape, 0) {
		t.Errorf("MAPE = %v", mape)
	}
}

func TestZeroPixelRequestsLearnTheirFixedCost(t *testing.T) {
	// A zero-pixel request has a prior of 0; if it actually costs a few
	// units, the model learns that through log1p.
	m := New(Options{})
	f := workload.Features{Kind: workload.Enhance}
	for i := range 100 {
		m.Observe(time.Unix(int64(i), 0), f, 50)
	}
	if got := m.Estimate(f).Units; math.Abs(got-50) > 2 {
		t.Errorf("estimate = %v, want about 50", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	m := New(Options{Window: 100, MemorySize: 50, AccuracyWindow: 20})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				k := workload.Kinds[(g+i)%3]
				f := workload.Features{Kind: k, Width: 10 + i, Height: 20 + g, WCols: 10 + i, WRows: 5, Shapes: g, Lights: 2,
					InputHash: string(rune('a' + i%70))}
				switch i % 5 {
				case 0:
					m.Observe(time.Unix(int64(i), 0), f, float64(100*i+g))
				case 1:
					m.Train([]Sample{{Features: f, Units: float64(i + 1), Time: time.Unix(int64(1000+i), 0)}})
				case 2:
					_ = m.Snapshot()
				case 3:
					_, _ = m.Accuracy(k)
				default:
					checkCost(t, m.Estimate(f), DefaultMaxUnits)
				}
			}
		})
	}
	wg.Wait()
}
