package estimator

import (
	"math"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

func TestUnitCosts(t *testing.T) {
	u := NewUnitCosts()
	if w := u.Weight(workload.Raytracer); w != 1 {
		t.Fatalf("ray-tracer weight %v, want 1", w)
	}
	if w := u.Weight(workload.Blur); math.Abs(w-0.03) > 1e-9 {
		t.Fatalf("blur prior weight %v, want 0.6/20", w)
	}
	// A blur unit that really costs 2 ns and a ray-tracer unit 40 ns: the
	// learnt weight moves to 2/40 as units pile up.
	for range 300 {
		u.Observe(workload.Blur, 200e6, 400*time.Millisecond)
		u.Observe(workload.Raytracer, 10e6, 400*time.Millisecond)
	}
	if w := u.Weight(workload.Blur); math.Abs(w-0.05) > 0.005 {
		t.Errorf("blur weight %v after learning, want about 0.05", w)
	}
	// Tiny requests, mostly fixed overhead, barely move it.
	for range 100 {
		u.Observe(workload.Blur, 1, time.Millisecond)
	}
	if w := u.Weight(workload.Blur); math.Abs(w-0.05) > 0.006 {
		t.Errorf("blur weight %v after tiny requests, want about 0.05", w)
	}
	// Nonsense is ignored.
	for _, tc := range []struct {
		units int64
		cpu   time.Duration
	}{{0, time.Second}, {-5, time.Second}, {100, 0}, {100, -time.Second}} {
		u.Observe(workload.Enhance, tc.units, tc.cpu)
	}
	u.Observe("unknown", 100, time.Second)
	if ns := u.NsPerUnit(workload.Enhance); ns != 0.6 {
		t.Errorf("enhance cost %v after invalid observations, want the prior 0.6", ns)
	}
}

// TestUnitCostsCPU: predicted units become CPU time on a worker of a
// known relative speed.
func TestUnitCostsCPU(t *testing.T) {
	u := NewUnitCosts()
	for _, tc := range []struct {
		name  string
		kind  workload.Kind
		units float64
		speed float64
		want  time.Duration
	}{
		{"ray trace on a reference worker", workload.Raytracer, 1e6, 1, 20 * time.Millisecond},
		{"ray trace on a worker half as fast", workload.Raytracer, 1e6, 0.5, 40 * time.Millisecond},
		{"enhance", workload.Enhance, 1e8, 1, 60 * time.Millisecond},
		{"speed 0 counts as 1", workload.Blur, 1e8, 0, 60 * time.Millisecond},
		{"negative units", workload.Blur, -5, 1, 0},
		{"overflow", workload.Raytracer, 1e30, 1, time.Duration(math.MaxInt64)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := u.CPU(tc.kind, tc.units, tc.speed); got != tc.want {
				t.Errorf("CPU %v, want %v", got, tc.want)
			}
		})
	}
	if got := UnitCostPrior("other"); got != 20 {
		t.Errorf("unknown workload's prior %v, want the ray tracer's 20", got)
	}
}

// TestEstimateInCPU: a model's predictions carry their CPU time on a
// reference worker, which follows what ObserveCPU teaches.
func TestEstimateInCPU(t *testing.T) {
	m := New(Options{})
	f := workload.Features{Kind: workload.Raytracer, WCols: 10, WRows: 10, ProbeUnits: 1e6}
	if c := m.Estimate(f); math.Abs(c.CPUSeconds-0.02) > 1e-12 {
		t.Fatalf("cpu %v s for 1e6 ray-tracer units, want the prior's 0.02", c.CPUSeconds)
	}
	for range 500 {
		m.ObserveCPU(workload.Raytracer, 1e8, 4*time.Second) // 40 ns per unit
	}
	if c := m.Estimate(f); math.Abs(c.CPUSeconds-0.04) > 0.002 {
		t.Errorf("cpu %v s after learning 40 ns per unit, want about 0.04", c.CPUSeconds)
	}
	if m.UnitCosts().NsPerUnit(workload.Raytracer) < 39 {
		t.Error("the model's unit costs did not learn")
	}
}
