package autoscaler

import (
	"slices"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

func TestPlan(t *testing.T) {
	tests := []struct {
		name       string
		workers    []Worker
		desired    int
		step       int
		wantLaunch int
		wantDrain  []string
	}{
		{"grow", ws(ready("a", 0, 0)), 3, 1, 2, nil},
		{"booting count as capacity", ws(ready("a", 0, 0), booting("b", 0)), 2, 1, 0, nil},
		{"unhealthy not yet due count", ws(ready("a", 0, 0), unhealthy("b", 0)), 2, 1, 0, nil},
		{"draining do not count", ws(ready("a", 0, 0), draining("b")), 2, 1, 1, nil},
		{"least predicted work left first", ws(ready("a", 30, 1), ready("b", 10, 1), ready("c", 20, 1)), 1, 2, 0, []string{"b", "c"}},
		{"then fewest in flight", ws(ready("a", 10, 3), ready("b", 10, 1), ready("c", 10, 2)), 2, 1, 0, []string{"b"}},
		{"then newest", ws(launched(ready("a", 0, 0), -30), launched(ready("b", 0, 0), -10), launched(ready("c", 0, 0), -20)), 2, 1, 0, []string{"b"}},
		{"then by ID", ws(ready("z", 0, 0), ready("y", 0, 0), ready("x", 0, 0)), 2, 1, 0, []string{"x"}},
		{"at most step", ws(ready("a", 0, 0), ready("b", 1, 0), ready("c", 2, 0), ready("d", 3, 0)), 1, 2, 0, []string{"a", "b"}},
		{"never booting", ws(booting("a", 0), booting("b", 0), ready("c", 5, 1)), 1, 3, 0, nil},
		{"only ready beyond the target", ws(booting("a", 0), ready("b", 5, 1), ready("c", 9, 1)), 1, 3, 0, []string{"b"}},
		{"excess is unhealthy: nothing to drain", ws(ready("a", 0, 0), unhealthy("b", 0)), 1, 1, 0, nil},
	}
	cfg := testConfig()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clk unhealthyClock
			var s scratch
			p := s.classify(at(1), Observation{Workers: tc.workers}, cfg, &clk)
			launch, drain := p.plan(tc.desired, tc.step)
			if launch != tc.wantLaunch || !slices.Equal(drain, tc.wantDrain) {
				t.Fatalf("plan(%d) = launch %d drain %v; want launch %d drain %v", tc.desired, launch, drain, tc.wantLaunch, tc.wantDrain)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	cfg := testConfig() // boot 4 s, replace after 6 s
	obs := Observation{Workers: ws(
		ready("r", 100, 2),
		booting("b-fresh", 0),
		booting("b-stuck", -10),
		booting("b-unknown-launch", 0),
		unhealthyUnknown("u-new"),
		unhealthy("u-old", -6),
		Worker{ID: "odd", State: 0, LaunchedAt: at(-100), PredictedLeft: 50, InFlight: 1},
		draining("d"),
		Worker{ID: "gone", State: lifecycle.Terminated, LaunchedAt: at(-100), PredictedLeft: 70, InFlight: 2},
	)}
	obs.Workers[3].LaunchedAt = time.Time{}
	var clk unhealthyClock
	var s scratch
	p := s.classify(at(0), obs, cfg, &clk)
	ids := func(w []Worker) []string {
		var s []string
		for _, x := range w {
			s = append(s, x.ID)
		}
		return s
	}
	if got := ids(p.ready); !slices.Equal(got, []string{"r"}) {
		t.Errorf("ready %v", got)
	}
	if got := ids(p.booting); !slices.Equal(got, []string{"b-fresh", "b-unknown-launch"}) {
		t.Errorf("booting %v", got)
	}
	// A value that is not a state is treated as unhealthy, seen now.
	if got := ids(p.waiting); !slices.Equal(got, []string{"u-new", "odd"}) {
		t.Errorf("waiting %v", got)
	}
	if got := ids(p.replace); !slices.Equal(got, []string{"b-stuck", "u-old"}) {
		t.Errorf("replace %v", got)
	}
	// A terminated worker is not part of the pool: its requests do not
	// count.
	if p.draining != 1 || p.gone != 1 || p.inFlight != 3 || p.backlog != 150 {
		t.Errorf("draining %d terminated %d in flight %d backlog %v", p.draining, p.gone, p.inFlight, p.backlog)
	}
	if len(clk.first) != 2 {
		t.Errorf("clock tracks %d workers, want 2 (u-new, odd)", len(clk.first))
	}
}

func TestPoolSize(t *testing.T) {
	obs := Observation{Workers: ws(ready("a", 0, 0), booting("b", 0), draining("c"), unhealthy("d", 0), Worker{ID: "e", State: lifecycle.Terminated})}
	if got := obs.PoolSize(); got != 3 {
		t.Fatalf("PoolSize = %d, want 3", got)
	}
}

func TestCeilWorkers(t *testing.T) {
	for _, tc := range []struct {
		need   float64
		lo, hi int
		want   int
	}{{0, 1, 4, 1}, {0, 0, 4, 0}, {1.0000000001, 0, 4, 1}, {1.01, 0, 4, 2}, {3.5, 0, 4, 4}, {1e300, 0, 4, 4}, {2, 3, 4, 3}} {
		if got := ceilWorkers(tc.need, tc.lo, tc.hi); got != tc.want {
			t.Errorf("ceilWorkers(%v, %d, %d) = %d, want %d", tc.need, tc.lo, tc.hi, got, tc.want)
		}
	}
}
