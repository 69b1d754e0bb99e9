package estimator

import (
	"math"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/workload"
)

func TestPriors(t *testing.T) {
	rt := func(w, h, shapes, lights, refl, trans int, aa bool) workload.Features {
		return workload.Features{Kind: workload.Raytracer, WCols: w, WRows: h, SCols: w, SRows: h,
			Shapes: shapes, Lights: lights, Reflective: refl, Transparent: trans, AA: aa}
	}
	img := func(k workload.Kind, w, h int) workload.Features {
		return workload.Features{Kind: k, Width: w, Height: h}
	}
	tests := []struct {
		name string
		f    workload.Features
		p    PriorParams
		want float64
	}{
		// 120000 px · (1+4) · (1 + 0.8·2)
		{"raytracer test01 400x300", rt(400, 300, 4, 3, 0, 0, false), PriorParams{}, 1_560_000},
		{"raytracer test01 400x300 aa", rt(400, 300, 4, 3, 0, 0, true), PriorParams{}, 6_240_000},
		// No shapes: every ray misses after 0 tests, 1 unit per ray.
		{"raytracer empty scene", rt(10, 10, 0, 3, 0, 0, false), PriorParams{}, 100},
		// Ambient light only: no shadow rays; b = 0.8·1/2 = 0.4, Σ 0.4^0..6 = 1.663936.
		{"raytracer half reflective", rt(10, 10, 2, 1, 1, 0, false), PriorParams{}, 100 * 3 * 1.663936},
		// b = 0.8·(1+1) = 1.6, Σ 1.6^0..6 = 43.072576, perRay = 2·1.8.
		{"raytracer all mirrors and glass", rt(1, 1, 1, 2, 1, 1, false), PriorParams{}, 3.6 * 43.072576},
		{"raytracer finishes capped at shapes", rt(1, 1, 1, 2, 7, 9, false), PriorParams{}, 3.6 * 43.072576},
		// h = 0.5, depth 1: perRay = 3·(1+0.5·1), b = 0.5·0.5, Σ = 1.25.
		{"raytracer custom params", rt(2, 5, 2, 2, 1, 0, false), PriorParams{HitFraction: 0.5, MaxDepth: 1}, 10 * 4.5 * 1.25},
		{"raytracer zero window", rt(0, 300, 4, 3, 0, 0, false), PriorParams{}, 0},
		{"raytracer negative window", rt(-5, 300, 4, 3, 0, 0, false), PriorParams{}, 0},
		{"raytracer negative counts", rt(1, 1, -3, -2, -1, -1, true), PriorParams{}, 4},
		{"blur 640x480", img(workload.Blur, 640, 480), PriorParams{}, 640 * 480 * 390},
		{"blur custom taps", img(workload.Blur, 10, 10), PriorParams{BlurTaps: 3}, 100 * 18},
		{"blur empty", img(workload.Blur, 0, 0), PriorParams{}, 0},
		{"enhance 640x480", img(workload.Enhance, 640, 480), PriorParams{}, 640 * 480 * 150},
		{"enhance custom per pixel", img(workload.Enhance, 3, 3), PriorParams{EnhanceUnitsPerPixel: 10}, 90},
		{"unknown workload counts pixels", img("", 7, 3), PriorParams{}, 21},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PriorUnits(tc.f, tc.p)
			if math.Abs(got-tc.want) > 1e-9*max(1, tc.want) {
				t.Errorf("PriorUnits = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNamedPriorsMatchDispatch(t *testing.T) {
	f := workload.Features{Kind: workload.Raytracer, WCols: 64, WRows: 48, Shapes: 5, Lights: 3, Reflective: 2}
	if got, want := RaytracerPrior(f, PriorParams{}), PriorUnits(f, DefaultPriorParams()); got != want {
		t.Errorf("RaytracerPrior = %v, PriorUnits = %v", got, want)
	}
	g := workload.Features{Kind: workload.Blur, Width: 64, Height: 48}
	if got, want := BlurPrior(g, PriorParams{}), 64*48*2*3*float64(DefaultBlurTaps); got != want {
		t.Errorf("BlurPrior = %v, want %v", got, want)
	}
	g.Kind = workload.Enhance
	if got, want := EnhancePrior(g, PriorParams{}), 64*48*float64(DefaultEnhanceUnitsPerPixel); got != want {
		t.Errorf("EnhancePrior = %v, want %v", got, want)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantErr []string
	}{
		{"zero is valid", Options{}, nil},
		{"defaults are valid", DefaultOptions(), nil},
		{"memory disabled is valid", Options{MemorySize: -1}, nil},
		{"every bad field is named", Options{
			Window: -1, AccuracyWindow: -2, PriorWeight: math.NaN(), PriorLogSigma: -1,
			MaxUnits: math.Inf(1), MaxHashLen: -1,
			Prior: PriorParams{HitFraction: 2, MaxDepth: -1, BlurTaps: -1, EnhanceUnitsPerPixel: -3},
		}, []string{"window", "accuracy window", "prior weight", "prior log sigma", "max units",
			"max hash length", "hit fraction", "max depth", "blur taps", "enhance units per pixel"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want errors")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestNewReplacesInvalidOptions(t *testing.T) {
	m := New(Options{Window: -1, PriorWeight: math.NaN(), MaxUnits: -1, Prior: PriorParams{HitFraction: 7}})
	o := m.Options()
	d := DefaultOptions()
	if o.Window != d.Window || o.PriorWeight != d.PriorWeight || o.MaxUnits != d.MaxUnits || o.Prior.HitFraction != d.Prior.HitFraction {
		t.Errorf("Options() = %+v, want defaults for the invalid fields", o)
	}
}
