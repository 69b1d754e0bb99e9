package estimator

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// hiddenLaw is the synthetic cost law the learning tests recover:
// units = 3·pixels·(1+shapes)^0.8·(aa ? 4 : 1)·lognormal(σ=0.2).
// It differs from the prior in scale, in its exponent on shapes and in
// ignoring lights, so the prior alone is far off.
func hiddenLaw(rng *rand.Rand) (workload.Features, float64) {
	f := workload.Features{
		Kind:   workload.Raytracer,
		WCols:  32 + rng.IntN(800),
		WRows:  32 + rng.IntN(600),
		Shapes: 1 + rng.IntN(40),
		Lights: 1 + rng.IntN(5),
		AA:     rng.Float64() < 0.3,
	}
	f.SCols, f.SRows = f.WCols, f.WRows
	units := 3 * float64(f.WCols*f.WRows) * math.Pow(1+float64(f.Shapes), 0.8)
	if f.AA {
		units *= 4
	}
	return f, units * math.Exp(0.2*rng.NormFloat64())
}

type labelled struct {
	f     workload.Features
	units float64
}

func mapeOn(m *Model, data []labelled) float64 {
	sum := 0.0
	for _, d := range data {
		sum += math.Abs(m.Estimate(d.f).Units-d.units) / d.units
	}
	return sum / float64(len(data))
}

func TestErrorFallsAsSamplesArrive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var held []labelled
	for range 300 {
		f, u := hiddenLaw(rng)
		held = append(held, labelled{f, u})
	}
	m := New(Options{AccuracyWindow: 100})
	now := time.Unix(1_700_000_000, 0)
	feed := func(n int) {
		for range n {
			f, u := hiddenLaw(rng)
			now = now.Add(time.Second)
			m.Observe(now, f, u)
		}
	}
	prior := mapeOn(m, held)
	feed(20)
	after20 := mapeOn(m, held)
	live20, n20 := m.Accuracy(workload.Raytracer)
	feed(480)
	after500 := mapeOn(m, held)
	live500, n500 := m.Accuracy(workload.Raytracer)
	t.Logf("held-out MAPE: prior %.3f, after 20 %.3f, after 500 %.3f; live MAPE after 20 %.3f (n=%d), after 500 %.3f (n=%d)",
		prior, after20, after500, live20, n20, live500, n500)

	if !(after500 < prior/4) {
		t.Errorf("MAPE after 500 samples %.3f is not much lower than the prior's %.3f", after500, prior)
	}
	if !(after500 < after20) {
		t.Errorf("MAPE after 500 samples %.3f is not lower than after 20 (%.3f)", after500, after20)
	}
	// Lognormal noise with σ = 0.2 alone gives a MAPE of about 0.16.
	if !(after500 < 0.25) {
		t.Errorf("MAPE after 500 samples %.3f, want near the noise floor (< 0.25)", after500)
	}
	if n20 != 20 || n500 != 100 {
		t.Errorf("Accuracy counted %d and %d samples, want 20 and 100 (the window)", n20, n500)
	}
	if !(live500 < live20) {
		t.Errorf("live MAPE after 500 samples %.3f is not lower than after 20 (%.3f)", live500, live20)
	}

	// The fit recovers the law's shape relative to the prior: the prior
	// scales with (1+shapes)^1, the law with ^0.8; both scale aa by 4.
	var w WorkloadSnapshot
	for _, s := range m.Snapshot().Workloads {
		if s.Workload == workload.Raytracer {
			w = s
		}
	}
	if c := w.Coefficients["log1p_shapes"]; math.Abs(c-(-0.2)) > 0.1 {
		t.Errorf("coefficient of log1p_shapes = %.3f, want about -0.2", c)
	}
	if c := w.Coefficients["aa"]; math.Abs(c) > 0.1 {
		t.Errorf("coefficient of aa = %.3f, want about 0", c)
	}
	if c := w.Coefficients["log1p_lights"]; !(c < -0.5) {
		t.Errorf("coefficient of log1p_lights = %.3f, want clearly negative (the law ignores lights, the prior does not)", c)
	}
	if w.Samples != 500 || w.Observed != 500 {
		t.Errorf("snapshot samples %d observed %d, want 500 and 500", w.Samples, w.Observed)
	}
}

func TestConfidenceAndIntervalTrackLearning(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := New(Options{})
	probe, _ := hiddenLaw(rng)
	c0 := m.Estimate(probe)
	if c0.Source != SourcePrior {
		t.Errorf("source before learning = %q, want %q", c0.Source, SourcePrior)
	}
	now := time.Unix(0, 0)
	for range 300 {
		f, u := hiddenLaw(rng)
		now = now.Add(time.Second)
		m.Observe(now, f, u)
	}
	c1 := m.Estimate(probe)
	if c1.Source != SourceModel {
		t.Errorf("source after learning = %q, want %q", c1.Source, SourceModel)
	}
	if !(c1.Confidence > c0.Confidence) {
		t.Errorf("confidence %.3f after learning is not above the prior's %.3f", c1.Confidence, c0.Confidence)
	}
	if !(c1.High/c1.Low < c0.High/c0.Low) {
		t.Errorf("interval ratio %.2f after learning is not narrower than the prior's %.2f", c1.High/c1.Low, c0.High/c0.Low)
	}
	for _, c := range []Cost{c0, c1} {
		if !(c.Low <= c.Units && c.Units <= c.High) || c.Confidence < 0 || c.Confidence > 1 {
			t.Errorf("inconsistent cost %+v", c)
		}
	}

	// Noisier data gives lower confidence for the same number of samples.
	noisy := New(Options{})
	for range 300 {
		f, u := hiddenLaw(rng)
		now = now.Add(time.Second)
		noisy.Observe(now, f, u*math.Exp(1.5*rng.NormFloat64()))
	}
	if c2 := noisy.Estimate(probe); !(c2.Confidence < c1.Confidence) {
		t.Errorf("confidence on noisy data %.3f is not below %.3f on clean data", c2.Confidence, c1.Confidence)
	}
}

func TestLearnsConstantFactorPerWorkload(t *testing.T) {
	// Blur costs 0.9× its prior, enhance 2.5×; learning one does not move
	// the other.
	m := New(Options{})
	now := time.Unix(0, 0)
	for i := range 200 {
		now = now.Add(time.Second)
		f := workload.Features{Kind: workload.Blur, Width: 100 + 7*i, Height: 80 + 3*i}
		m.Observe(now, f, 0.9*BlurPrior(f, PriorParams{}))
	}
	probe := workload.Features{Kind: workload.Blur, Width: 640, Height: 480}
	if got, want := m.Estimate(probe).Units, 0.9*BlurPrior(probe, PriorParams{}); math.Abs(got-want)/want > 0.03 {
		t.Errorf("blur estimate %.0f, want %.0f ±3%%", got, want)
	}
	e := workload.Features{Kind: workload.Enhance, Width: 640, Height: 480}
	if c := m.Estimate(e); c.Source != SourcePrior || c.Units != EnhancePrior(e, PriorParams{}) {
		t.Errorf("enhance estimate %+v moved without enhance samples", c)
	}
	for i := range 200 {
		now = now.Add(time.Second)
		f := workload.Features{Kind: workload.Enhance, Width: 100 + 7*i, Height: 80 + 3*i}
		m.Observe(now, f, 2.5*EnhancePrior(f, PriorParams{}))
	}
	if got, want := m.Estimate(e).Units, 2.5*EnhancePrior(e, PriorParams{}); math.Abs(got-want)/want > 0.03 {
		t.Errorf("enhance estimate %.0f, want %.0f ±3%%", got, want)
	}
}

func TestWindowForgetsOldRegime(t *testing.T) {
	m := New(Options{Window: 50})
	now := time.Unix(0, 0)
	observe := func(factor float64, n int) {
		for i := range n {
			now = now.Add(time.Second)
			f := workload.Features{Kind: workload.Blur, Width: 50 + i, Height: 60 + 2*i}
			m.Observe(now, f, factor*BlurPrior(f, PriorParams{}))
		}
	}
	observe(10, 200)
	observe(0.5, 120) // more than two windows: the running sums are recomputed too
	probe := workload.Features{Kind: workload.Blur, Width: 90, Height: 130}
	if got, want := m.Estimate(probe).Units, 0.5*BlurPrior(probe, PriorParams{}); math.Abs(got-want)/want > 0.1 {
		t.Errorf("estimate %.0f after the regime changed, want %.0f ±10%%", got, want)
	}
	if s := m.Snapshot().Workloads[1]; s.Samples != 50 || s.Observed != 320 {
		t.Errorf("blur snapshot samples %d observed %d, want 50 and 320", s.Samples, s.Observed)
	}
}

func TestTrain(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	mk := func(sec int, factor float64) Sample {
		f := workload.Features{Kind: workload.Blur, Width: 10 + sec, Height: 10 + sec%7}
		return Sample{Features: f, Units: factor * BlurPrior(f, PriorParams{}), Time: base.Add(time.Duration(sec) * time.Second)}
	}
	tests := []struct {
		name      string
		samples   []Sample
		wantLearn int
	}{
		{"empty", nil, 0},
		{"all valid", []Sample{mk(1, 2), mk(2, 2), mk(3, 2)}, 3},
		{"invalid skipped", []Sample{mk(1, 2), mk(2, math.NaN()), mk(3, -1), mk(4, math.Inf(1)),
			{Features: workload.Features{Kind: "nope", Width: 1, Height: 1}, Units: 5, Time: base}}, 1},
		{"same time all learnt", []Sample{mk(1, 2), mk(1, 2), mk(1, 2)}, 3},
		{"zero times learnt", []Sample{{Features: mk(1, 1).Features, Units: 10}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Options{})
			if got := m.Train(tc.samples); got != tc.wantLearn {
				t.Errorf("Train learnt %d, want %d", got, tc.wantLearn)
			}
			if got := m.Snapshot().Workloads[1].Observed; got != int64(tc.wantLearn) {
				t.Errorf("blur observed %d, want %d", got, tc.wantLearn)
			}
		})
	}
}

func TestTrainLearnsInTimeOrder(t *testing.T) {
	// The window keeps the most recent samples by time, whatever the order
	// of the batch: after training, the newer regime (0.5× the prior) wins.
	base := time.Unix(1_700_000_000, 0)
	var batch []Sample
	for i := range 100 {
		f := workload.Features{Kind: workload.Blur, Width: 20 + i, Height: 30 + i%9}
		// Newer samples first in the batch.
		batch = append(batch, Sample{Features: f, Units: 0.5 * BlurPrior(f, PriorParams{}), Time: base.Add(time.Duration(1000-i) * time.Second)})
		batch = append(batch, Sample{Features: f, Units: 8 * BlurPrior(f, PriorParams{}), Time: base.Add(time.Duration(i) * time.Second)})
	}
	m := New(Options{Window: 100})
	if got := m.Train(batch); got != 200 {
		t.Fatalf("Train learnt %d, want 200", got)
	}
	probe := workload.Features{Kind: workload.Blur, Width: 70, Height: 33}
	if got, want := m.Estimate(probe).Units, 0.5*BlurPrior(probe, PriorParams{}); math.Abs(got-want)/want > 0.05 {
		t.Errorf("estimate %.0f, want the newer regime's %.0f ±5%%", got, want)
	}
	if got := m.Snapshot().Workloads[1].Latest; !got.Equal(base.Add(1000 * time.Second)) {
		t.Errorf("latest = %v, want the newest sample's time", got)
	}
	// Large batches are learnt in chunks; all of them count.
	var many []Sample
	for i := range 1000 {
		f := workload.Features{Kind: workload.Enhance, Width: 5 + i, Height: 5}
		many = append(many, Sample{Features: f, Units: 100, Time: base.Add(time.Duration(i) * time.Millisecond)})
	}
	if got := m.Train(many); got != 1000 {
		t.Errorf("Train of 1000 learnt %d", got)
	}
}

func TestSnapshotEncodesToJSON(t *testing.T) {
	m := New(Options{})
	empty, err := json.Marshal(m.Snapshot())
	if err != nil {
		t.Fatalf("marshal empty snapshot: %v", err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 50 {
		f, u := hiddenLaw(rng)
		f.InputHash = fmt.Sprintf("%064x", i)
		m.Observe(time.Unix(int64(i), 0), f, u)
	}
	b, err := json.Marshal(m.Snapshot())
	if err != nil {
		t.Fatalf("marshal snapshot: %v", err)
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if len(back.Workloads) != 3 || back.Workloads[0].Workload != workload.Raytracer ||
		back.Workloads[0].Observed != 50 || back.Workloads[0].MemoryEntries != 50 ||
		back.Workloads[0].MAPESamples != 50 || back.MemoryCapacity != DefaultMemorySize {
		t.Errorf("snapshot round trip = %s (empty was %s)", b, empty)
	}
}
