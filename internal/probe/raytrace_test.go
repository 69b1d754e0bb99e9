package probe

import (
	"context"
	"math"
	"testing"

	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/testutil"
)

func scene(tb testing.TB, name string) *raytracer.Scene {
	tb.Helper()
	s, err := raytracer.ParseScene(testutil.SeedFile(tb, "raytracer/scenes/"+name), nil, raytracer.DefaultLimits())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func renderUnits(tb testing.TB, s *raytracer.Scene, p raytracer.Params) float64 {
	tb.Helper()
	_, st, err := raytracer.Render(context.Background(), s, p)
	if err != nil {
		tb.Fatal(err)
	}
	return float64(st.Units())
}

// TestRaytraceEstimates: a probe of 128 rays estimates seed renders whose
// cost per pixel varies over the window (shadows, reflections, windows
// that half miss the scene) within a few percent, where the features'
// prior is off by tens of percent; the same request gives the same
// estimate; it never spends more than its budget.
func TestRaytraceEstimates(t *testing.T) {
	for _, tc := range []struct {
		name, scene string
		p           raytracer.Params
	}{
		{"test01 whole", "test01.txt", raytracer.Params{SCols: 320, SRows: 240, WCols: 320, WRows: 240}},
		{"test04 corner aa", "test04.txt", raytracer.Params{SCols: 300, SRows: 200, WCols: 120, WRows: 90, COff: 170, ROff: -100, AA: true}},
		{"test05 strip", "test05.txt", raytracer.Params{SCols: 400, SRows: 300, WCols: 400, WRows: 40, ROff: -130}},
		{"test02 window", "test02.txt", raytracer.Params{SCols: 256, SRows: 256, WCols: 100, WRows: 150, COff: 20, ROff: -60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := scene(t, tc.scene)
			want := renderUnits(t, s, tc.p)
			r, ok := Raytrace(s, tc.p, Options{})
			if !ok {
				t.Fatal("not probed")
			}
			if e := math.Abs(r.Units-want) / want; e > 0.05 {
				t.Errorf("estimate %.0f units, render %.0f: %.1f%% off", r.Units, want, 100*e)
			}
			primary := tc.p.WCols * tc.p.WRows
			if tc.p.AA {
				primary *= 4
			}
			if r.Samples > DefaultRays || float64(r.Samples) > DefaultMaxShare*float64(primary) || r.Exact || r.Spent <= 0 {
				t.Errorf("%d samples, %d units spent, exact %v: over the budget of %d rays and 1%% of %d", r.Samples, r.Spent, r.Exact, DefaultRays, primary)
			}
			if again, _ := Raytrace(s, tc.p, Options{}); again != r {
				t.Errorf("probed twice: %+v then %+v", r, again)
			}
		})
	}
}

// TestRaytraceBudget: a render too small for MinRays within MaxShare is
// not probed; one whose budget covers every primary ray is counted
// exactly; invalid parameters are not probed.
func TestRaytraceBudget(t *testing.T) {
	s := scene(t, "test01.txt")
	small := raytracer.Params{SCols: 64, SRows: 48, WCols: 15, WRows: 20, COff: 10, AA: true}
	for _, tc := range []struct {
		name      string
		p         raytracer.Params
		o         Options
		ok, exact bool
	}{
		{"too small for 1%", raytracer.Params{SCols: 64, SRows: 48, WCols: 19, WRows: 20, COff: 10}, Options{}, false, false},
		{"just enough for 4 rays", raytracer.Params{SCols: 64, SRows: 48, WCols: 20, WRows: 20, COff: 10}, Options{}, true, false},
		{"whole budget: exact", small, Options{Rays: 4096, MaxShare: 1}, true, true},
		{"invalid window", raytracer.Params{SCols: 10, SRows: 10, WCols: 20, WRows: 20}, Options{MaxShare: 1}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := Raytrace(s, tc.p, tc.o)
			if ok != tc.ok || r.Exact != tc.exact {
				t.Fatalf("probed %v, exact %v (%+v); want %v, %v", ok, r.Exact, r, tc.ok, tc.exact)
			}
			if tc.exact {
				if want := renderUnits(t, s, tc.p); r.Units != want {
					t.Errorf("exact probe %.0f units, render %.0f", r.Units, want)
				}
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
	if err := (Options{Rays: -1, MinRays: -1, MaxShare: 2}).Validate(); err == nil {
		t.Error("invalid options passed")
	}
}

// BenchmarkRaytrace is a probe's CPU cost (ns/op) on renders big enough
// for the whole budget: what the load balancer spends per probed ray
// trace.
func BenchmarkRaytrace(b *testing.B) {
	for _, name := range []string{"test01.txt", "test02.txt", "test04.txt", "test05.txt"} {
		b.Run(name, func(b *testing.B) {
			s := scene(b, name)
			p := raytracer.Params{SCols: 640, SRows: 480, WCols: 640, WRows: 480}
			var spent int64
			for b.Loop() {
				r, ok := Raytrace(s, p, Options{})
				if !ok {
					b.Fatal("not probed")
				}
				spent += r.Spent
			}
			b.ReportMetric(float64(spent)/float64(b.N), "units/op")
		})
	}
}

func raytracerParams(w, h int) raytracer.Params {
	return raytracer.Params{SCols: w, SRows: h, WCols: w, WRows: h}
}
