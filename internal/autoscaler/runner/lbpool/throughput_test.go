package lbpool

import (
	"math"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/proxy"
)

// req is a request that ended at end seconds after t0 and took wall
// seconds.
type req struct {
	end, wall, units float64
}

func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func TestThroughput(t *testing.T) {
	tests := []struct {
		name string
		reqs []req
		at   float64 // when Speed is asked, seconds after t0
		want float64
	}{
		{"nothing yet", nil, 10, 0},
		{"one at a time", []req{{2, 2, 200}, {5, 2, 200}}, 5, 100},
		{"four at once: the same throughput", []req{{4, 4, 100}, {4, 4, 100}, {4, 4, 100}, {4, 4, 100}}, 4, 100},
		{"staggered overlap", []req{{2, 2, 100}, {3, 2, 100}, {4, 2, 100}}, 4, 75},
		{"idle gaps do not count", []req{{2, 2, 200}, {30, 2, 200}}, 40, 100},
		{"too little busy time", []req{{1, 1, 100}}, 1, 0},
		{"a request straddling the window counts in part", []req{{62, 4, 400}}, 120, 100},
		{"invalid requests ignored", []req{{2, 2, 200}, {3, 0, 50}, {4, 1, -5}, {5, 1, math.Inf(1)}, {6, 2, 200}}, 6, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			tp := NewThroughput(time.Minute, func() time.Time { return now })
			for _, r := range tc.reqs {
				now = t0.Add(sec(r.end))
				tp.Observe("w", r.units, sec(r.wall))
			}
			now = t0.Add(sec(tc.at))
			if got := tp.Speed("w"); math.Abs(got-tc.want) > 1e-9 {
				t.Fatalf("Speed = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestThroughputKeepsTheLastMeasurement(t *testing.T) {
	now := t0
	tp := NewThroughput(time.Minute, func() time.Time { return now })
	now = t0.Add(4 * time.Second)
	tp.Observe("w", 400, 4*time.Second)
	if got := tp.Speed("w"); got != 100 {
		t.Fatalf("Speed = %v, want 100", got)
	}
	// Long idle: the requests leave the window, the measurement stays.
	now = t0.Add(10 * time.Minute)
	if got := tp.Speed("w"); got != 100 {
		t.Fatalf("after idling, Speed = %v, want the last measurement 100", got)
	}
	// A new measurement replaces it once it has enough busy time.
	tp.Observe("w", 50, time.Second)
	if got := tp.Speed("w"); got != 100 {
		t.Fatalf("with 1 s busy, Speed = %v, want still 100", got)
	}
	now = now.Add(2 * time.Second)
	tp.Observe("w", 100, 2*time.Second)
	if got := tp.Speed("w"); got != 50 {
		t.Fatalf("with 3 s busy, Speed = %v, want 50", got)
	}
	if n := len(tp.w["w"].done); n != 2 {
		t.Fatalf("%d requests remembered, want the 2 of the window", n)
	}
}

type fakeSpeeds struct {
	observed int
	speed    float64
}

func (f *fakeSpeeds) Observe(string, float64, time.Duration) { f.observed++ }
func (f *fakeSpeeds) Speed(string) float64                   { return f.speed }

func TestTeeFeedsBoth(t *testing.T) {
	now := t0.Add(4 * time.Second)
	tp := NewThroughput(time.Minute, func() time.Time { return now })
	fs := &fakeSpeeds{speed: 25}
	s := Tee(fs, tp)
	for range 4 {
		s.Observe("w", 100, 4*time.Second)
	}
	if fs.observed != 4 || s.Speed("w") != 25 || tp.Speed("w") != 100 {
		t.Fatalf("speeds saw %d, answers %v; throughput %v", fs.observed, s.Speed("w"), tp.Speed("w"))
	}
}

// The adapter hands the policy the throughput once known, the load
// balancer's per-request speed before, and forgets workers that left.
func TestSnapshotUsesThroughput(t *testing.T) {
	pol, err := balancer.New("least-requests")
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(4 * time.Second)
	clock := func() time.Time { return now }
	tp := NewThroughput(time.Minute, clock)
	fs := &fakeSpeeds{speed: 25}
	p := proxy.NewPool(proxy.PoolOptions{Config: proxy.Default(), Policy: pol, Speeds: Tee(fs, tp), Now: clock})
	defer p.Close()
	a := New(p, tp)
	for _, id := range []string{"w1", "w2"} {
		if err := a.Add(provider.Instance{ID: id, Address: "http://127.0.0.1:1", LaunchedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		tp.Observe("w1", 100, 4*time.Second)
	}
	tp.Observe("gone", 100, 4*time.Second)
	s := a.Snapshot()
	if s.Workers[0].Speed != 100 || s.Workers[1].Speed != 25 {
		t.Fatalf("speeds %v and %v, want the throughput 100 and the per-request 25", s.Workers[0].Speed, s.Workers[1].Speed)
	}
	if _, ok := tp.w["gone"]; ok {
		t.Fatal("the throughput of a worker not in the pool is kept")
	}
}
