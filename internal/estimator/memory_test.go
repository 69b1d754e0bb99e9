package estimator

import (
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

func TestExactMemory(t *testing.T) {
	scene := workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300,
		Shapes: 4, Lights: 3, InputHash: "9f2c"}
	now := time.Unix(100, 0)
	tests := []struct {
		name       string
		observe    []workload.Features
		units      []float64
		probe      workload.Features
		opts       Options
		wantSource string
		wantUnits  float64
		wantLow    float64
		wantHigh   float64
	}{
		{name: "repeated scene is remembered", observe: []workload.Features{scene}, units: []float64{12345},
			probe: scene, wantSource: SourceMemory, wantUnits: 12345, wantLow: 12345, wantHigh: 12345},
		{name: "aa changes the cost", observe: []workload.Features{scene}, units: []float64{12345},
			probe: with(scene, func(f *workload.Features) { f.AA = true }), wantSource: SourceModel},
		{name: "offset changes the cost", observe: []workload.Features{scene}, units: []float64{12345},
			probe: with(scene, func(f *workload.Features) { f.COff = 10 }), wantSource: SourceModel},
		{name: "another workload with the same hash", observe: []workload.Features{scene}, units: []float64{12345},
			probe: workload.Features{Kind: workload.Blur, Width: 400, Height: 300, InputHash: "9f2c"}, wantSource: SourcePrior},
		{name: "no hash, no memory", observe: []workload.Features{with(scene, func(f *workload.Features) { f.InputHash = "" })},
			units: []float64{12345}, probe: with(scene, func(f *workload.Features) { f.InputHash = "" }), wantSource: SourceModel},
		{name: "image input remembered whatever its format name", observe: []workload.Features{{Kind: workload.Blur, Width: 9, Height: 9, InputHash: "ab", Format: "png"}},
			units: []float64{77}, probe: workload.Features{Kind: workload.Blur, Width: 9, Height: 9, InputHash: "ab"}, wantSource: SourceMemory, wantUnits: 77, wantLow: 77, wantHigh: 77},
		{name: "latest value with the range of values seen", observe: []workload.Features{scene, scene, scene}, units: []float64{100, 300, 200},
			probe: scene, wantSource: SourceMemory, wantUnits: 200, wantLow: 100, wantHigh: 300},
		{name: "disabled memory", observe: []workload.Features{scene}, units: []float64{12345}, opts: Options{MemorySize: -1},
			probe: scene, wantSource: SourceModel},
		{name: "hash over the length limit", observe: []workload.Features{with(scene, func(f *workload.Features) { f.InputHash = strings.Repeat("x", 300) })},
			units: []float64{12345}, probe: with(scene, func(f *workload.Features) { f.InputHash = strings.Repeat("x", 300) }), wantSource: SourceModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New(tc.opts)
			for i, f := range tc.observe {
				m.Observe(now, f, tc.units[i])
			}
			c := m.Estimate(tc.probe)
			if c.Source != tc.wantSource {
				t.Fatalf("source = %q, want %q (cost %+v)", c.Source, tc.wantSource, c)
			}
			if tc.wantSource != SourceMemory {
				return
			}
			if c.Units != tc.wantUnits || c.Low != tc.wantLow || c.High != tc.wantHigh {
				t.Errorf("cost = %+v, want units %v in [%v, %v]", c, tc.wantUnits, tc.wantLow, tc.wantHigh)
			}
			wantConf := memoryConfidence
			if tc.wantLow != tc.wantHigh {
				wantConf = memoryMixedConfidence
			}
			if c.Confidence != wantConf {
				t.Errorf("confidence = %v, want %v", c.Confidence, wantConf)
			}
		})
	}
}

func TestMemoryIsBoundedLRU(t *testing.T) {
	m := New(Options{MemorySize: 2})
	img := func(h string) workload.Features {
		return workload.Features{Kind: workload.Enhance, Width: 10, Height: 10, InputHash: h}
	}
	now := time.Unix(0, 0)
	m.Observe(now, img("a"), 1)
	m.Observe(now, img("b"), 2)
	if c := m.Estimate(img("a")); c.Source != SourceMemory { // a is now the most recent
		t.Fatalf("a not remembered: %+v", c)
	}
	m.Observe(now, img("c"), 3) // evicts b
	for h, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if got := m.Estimate(img(h)).Source == SourceMemory; got != want {
			t.Errorf("remembered %s = %v, want %v", h, got, want)
		}
	}
	if n := m.Snapshot().Workloads[2].MemoryEntries; n != 2 {
		t.Errorf("memory entries = %d, want 2", n)
	}
}

func TestMemoryHitScoresPerfectAccuracy(t *testing.T) {
	m := New(Options{})
	f := workload.Features{Kind: workload.Blur, Width: 10, Height: 10, InputHash: "h"}
	m.Observe(time.Unix(1, 0), f, 5000)
	m.Observe(time.Unix(2, 0), f, 5000)
	m.Observe(time.Unix(3, 0), f, 5000)
	mape, n := m.Accuracy(workload.Blur)
	// The first prediction was the prior (39000 vs 5000: 6.8); the other two exact.
	if n != 3 || mape != (39000.0-5000)/5000/3 {
		t.Errorf("Accuracy = %v over %d, want %v over 3", mape, n, (39000.0-5000)/5000/3)
	}
}

func with(f workload.Features, edit func(*workload.Features)) workload.Features {
	edit(&f)
	return f
}
