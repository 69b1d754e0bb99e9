package proxy

import (
	"math"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

func TestUnitCosts(t *testing.T) {
	u := newUnitCosts()
	if w := u.weight(workload.Raytracer); w != 1 {
		t.Fatalf("ray-tracer weight %v, want 1", w)
	}
	if w := u.weight(workload.Blur); math.Abs(w-0.03) > 1e-9 {
		t.Fatalf("blur prior weight %v, want 0.6/20", w)
	}
	// A blur unit that really costs 2 ns and a ray-tracer unit 40 ns: the
	// learnt weight moves to 2/40 as units pile up.
	for range 300 {
		u.observe(workload.Blur, 200e6, 400*time.Millisecond)
		u.observe(workload.Raytracer, 10e6, 400*time.Millisecond)
	}
	if w := u.weight(workload.Blur); math.Abs(w-0.05) > 0.005 {
		t.Errorf("blur weight %v after learning, want about 0.05", w)
	}
	// Tiny requests, mostly fixed overhead, barely move it.
	for range 100 {
		u.observe(workload.Blur, 1, time.Millisecond)
	}
	if w := u.weight(workload.Blur); math.Abs(w-0.05) > 0.006 {
		t.Errorf("blur weight %v after tiny requests, want about 0.05", w)
	}
	// Nonsense is ignored.
	for _, tc := range []struct {
		units int64
		cpu   time.Duration
	}{{0, time.Second}, {-5, time.Second}, {100, 0}, {100, -time.Second}} {
		u.observe(workload.Enhance, tc.units, tc.cpu)
	}
	u.observe("unknown", 100, time.Second)
	if ns := u.nsPerUnit(workload.Enhance); ns != 0.6 {
		t.Errorf("enhance cost %v after invalid observations, want the prior 0.6", ns)
	}
}
