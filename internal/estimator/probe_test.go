package estimator

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// TestProbeIsTheBase: a probed request is predicted from its probe's
// estimate (source probe) rather than the prior, before and after
// samples; an unprobed one of the same shape from the prior.
func TestProbeIsTheBase(t *testing.T) {
	m := New(Options{MemorySize: -1})
	f := workload.Features{Kind: workload.Raytracer, SCols: 100, SRows: 100, WCols: 100, WRows: 100, Shapes: 3, Lights: 2}
	if c := m.Estimate(f); c.Source != SourcePrior {
		t.Fatalf("unprobed: source %q, want prior", c.Source)
	}
	f.ProbeUnits = 123456
	c := m.Estimate(f)
	if c.Source != SourceProbe || c.Units != 123456 || !(c.Low < c.Units && c.Units < c.High) {
		t.Fatalf("probed: %+v, want the probe's 123456 units from source probe", c)
	}
	// The prior is far off for this law; the probe is right but for a
	// constant bias of 10 %, which the probe's regression learns.
	rng := rand.New(rand.NewPCG(3, 4))
	now := time.Unix(1_700_000_000, 0)
	for range 200 {
		g, units := hiddenLaw(rng)
		g.ProbeUnits = units / 1.1
		now = now.Add(time.Second)
		m.Observe(now, g, units)
	}
	g, units := hiddenLaw(rng)
	g.ProbeUnits = units / 1.1
	if c := m.Estimate(g); c.Source != SourceProbe || math.Abs(c.Units-units)/units > 0.03 {
		t.Errorf("after learning: %+v for %.0f units, want the probe corrected to within 3%%", c, units)
	}
	g.ProbeUnits = 0
	if c := m.Estimate(g); c.Source != SourceModel {
		t.Errorf("unprobed after learning: source %q, want model", c.Source)
	}
	mape, n := m.SourceAccuracy(workload.Raytracer, SourceProbe)
	if n != 200 || !(mape < 0.11) {
		t.Errorf("probe accuracy %.3f over %d, want under 0.11 over 200", mape, n)
	}
	if _, n := m.SourceAccuracy(workload.Raytracer, SourceModel); n != 0 {
		t.Errorf("model accuracy over %d predictions, want none", n)
	}
	if _, n := m.SourceAccuracy("nope", SourceProbe); n != 0 {
		t.Errorf("unknown workload: %d predictions", n)
	}
}

// TestProbeLearnsThePrior: probed samples also teach the prior's
// correction, for the requests that are too small to probe.
func TestProbeLearnsThePrior(t *testing.T) {
	m := New(Options{MemorySize: -1})
	rng := rand.New(rand.NewPCG(5, 6))
	now := time.Unix(1_700_000_000, 0)
	for range 300 {
		g, units := hiddenLaw(rng)
		g.ProbeUnits = units
		now = now.Add(time.Second)
		m.Observe(now, g, units)
	}
	var held []labelled
	for range 100 {
		f, u := hiddenLaw(rng)
		held = append(held, labelled{f, u})
	}
	if e := mapeOn(m, held); e > 0.25 {
		t.Errorf("unprobed MAPE %.2f after probed samples, want the prior's correction learnt (under 0.25)", e)
	}
}
