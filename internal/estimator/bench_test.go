package estimator

import (
	"math/rand/v2"
	"testing"
	"time"
)

func trainedModel(b *testing.B) (*Model, []labelled) {
	b.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	m := New(Options{})
	var probes []labelled
	for i := range 2000 {
		f, u := hiddenLaw(rng)
		m.Observe(time.Unix(int64(i), 0), f, u)
		if i < 256 {
			probes = append(probes, labelled{f, u})
		}
	}
	return m, probes
}

func BenchmarkEstimate(b *testing.B) {
	m, probes := trainedModel(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = m.Estimate(probes[i%len(probes)].f)
		i++
	}
}

func BenchmarkEstimateParallel(b *testing.B) {
	m, probes := trainedModel(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_ = m.Estimate(probes[i%len(probes)].f)
			i++
		}
	})
}

// BenchmarkObserve measures learning one sample into a full window
// (eviction, running sums and refit).
func BenchmarkObserve(b *testing.B) {
	m, probes := trainedModel(b)
	b.ReportAllocs()
	now := time.Unix(1e6, 0)
	i := 0
	for b.Loop() {
		p := probes[i%len(probes)]
		now = now.Add(time.Millisecond)
		m.Observe(now, p.f, p.units)
		i++
	}
}

func BenchmarkSpeed(b *testing.B) {
	s := NewSpeeds(SpeedOptions{})
	for i := range 100 {
		s.Observe(string(rune('a'+i)), float64(1e6+i), time.Second)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Observe("a", 2e6, time.Second)
		_ = s.Speed("a")
	}
}
