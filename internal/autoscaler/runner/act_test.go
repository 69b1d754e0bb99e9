package runner

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

func TestLaunchOnDemand(t *testing.T) {
	cfg := testConfig()
	sp := &spy{p: mustPolicy(t, cfg)}
	g := newRig(t, cfg, sp, readyW("w1", 0, 0))
	// 30k units queued, to be done within the 10 s horizon by workers of
	// 1000 units/s: three workers.
	g.pool.queue.units, g.pool.queue.n = 30000, 10
	ctx := t.Context()

	d := g.r.Step(ctx)
	if d.Action != lifecycle.ActionAdd || d.From != 1 || d.To != 3 {
		t.Fatalf("decision %+v, want add from 1 to 3", d)
	}
	g.settle(t)
	if got := g.ev.all(); !slices.Equal(got, []string{"launch 2", "add new-1", "add new-2"}) {
		t.Fatalf("events %q, want a launch of 2 added to the pool", got)
	}
	if got := g.pool.ids(); !slices.Equal(got, []string{"w1", "new-1", "new-2"}) {
		t.Fatalf("pool %v", got)
	}
	// The new workers are booting: the next evaluation counts them and
	// launches nothing more.
	g.clock.Advance(time.Second)
	d = g.r.Step(ctx)
	g.settle(t)
	if obs := sp.last(); countState(obs, lifecycle.Booting) != 2 {
		t.Fatalf("observation %+v: want the 2 launched workers booting", obs.Workers)
	}
	if d.Action != lifecycle.ActionKeep || d.To != 3 {
		t.Fatalf("second decision %+v, want keep 3", d)
	}
	if st := g.r.Snapshot(); st.Counts.Launched != 2 || st.Desired != 3 || st.Launching != 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestWorkersBeingLaunchedCountOnce(t *testing.T) {
	tests := []struct {
		name string
		// early: the provider lists the new workers (and the pool picks
		// them up) before Launch returns.
		early bool
	}{
		{"pool does not show them yet", false},
		{"pool shows them before launch returns", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			sp := &spy{p: mustPolicy(t, cfg)}
			g := newRig(t, cfg, sp, readyW("w1", 0, 0))
			g.pool.queue.units, g.pool.queue.n = 30000, 10
			gate := make(chan struct{})
			g.prov.gate = gate
			if tc.early {
				g.prov.pool = g.pool
			}
			ctx := t.Context()
			g.r.Step(ctx)
			g.ev.waitFor(t, "launch 2")
			if st := g.r.Snapshot(); st.Launching != 2 {
				t.Fatalf("status launching %d, want 2", st.Launching)
			}
			for i := range 3 {
				g.clock.Advance(time.Second)
				d := g.r.Step(ctx)
				obs := sp.last()
				if n := countState(obs, lifecycle.Booting); n != 2 {
					t.Fatalf("step %d: %d booting workers observed, want 2: %+v", i, n, obs.Workers)
				}
				if d.Action != lifecycle.ActionKeep {
					t.Fatalf("step %d: decision %+v while the launch is under way", i, d)
				}
			}
			close(gate)
			g.settle(t)
			g.clock.Advance(time.Second)
			g.r.Step(ctx)
			if n := countState(sp.last(), lifecycle.Booting); n != 2 {
				t.Fatalf("after the launch: %d booting, want 2", n)
			}
			var launches int
			for _, e := range g.ev.all() {
				if e == "launch 2" {
					launches++
				}
			}
			if launches != 1 {
				t.Fatalf("%d launches, want 1: %q", launches, g.ev.all())
			}
		})
	}
}

func TestDrainWaitsForRequestsInFlight(t *testing.T) {
	pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
		if n == 1 {
			return autoscaler.Decision{Desired: 1, Drain: []string{"w2"}}
		}
		return keep(n, obs)
	}}
	g := newRig(t, testConfig(), pol, readyW("w1", 0, 0), readyW("w2", 2, 500))
	ctx := t.Context()
	d := g.r.Step(ctx)
	if d.Action != lifecycle.ActionRemove || !slices.Equal(d.Workers, []string{"w2"}) {
		t.Fatalf("decision %+v", d)
	}
	// The drain is waiting (its timeout timer is set) and must not have
	// terminated the worker with two requests in flight.
	g.clock.WaitTimers(t, 1)
	g.clock.Advance(time.Second)
	if d := g.r.Step(ctx); d.ID != 0 {
		t.Fatalf("second decision recorded: %+v", d)
	}
	if i := g.ev.index("terminate w2"); i >= 0 {
		t.Fatalf("terminated with requests in flight: %q", g.ev.all())
	}
	if st := g.r.Snapshot(); !slices.Equal(st.Draining, []string{"w2"}) {
		t.Fatalf("status draining %v", st.Draining)
	}
	g.pool.finish("w2")
	g.ev.waitFor(t, "remove w2")
	g.settle(t)
	order := []string{"drain w2", "idle w2", "terminate w2", "remove w2"}
	for i := 1; i < len(order); i++ {
		if a, b := g.ev.index(order[i-1]), g.ev.index(order[i]); a < 0 || b < 0 || a > b {
			t.Fatalf("want %q in this order, got %q", order, g.ev.all())
		}
	}
	st := g.r.Snapshot()
	if st.Counts.Drained != 1 || st.Counts.DrainTimeouts != 0 || len(st.Draining) != 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestDrainTimeoutThenTerminate(t *testing.T) {
	pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
		if n == 1 {
			return autoscaler.Decision{Desired: 1, Drain: []string{"w2"}}
		}
		return keep(n, obs)
	}}
	cfg := testConfig()
	g := newRig(t, cfg, pol, readyW("w1", 0, 0), readyW("w2", 1, 1e9))
	g.r.Step(t.Context())
	g.clock.WaitTimers(t, 1)
	g.clock.Advance(testLoop().DrainTimeout - time.Millisecond)
	if g.ev.index("terminate w2") >= 0 {
		t.Fatalf("terminated before the drain timeout: %q", g.ev.all())
	}
	g.clock.Advance(time.Millisecond)
	g.ev.waitFor(t, "remove w2")
	g.settle(t)
	if g.ev.index("idle w2") >= 0 || g.ev.index("drain w2") > g.ev.index("terminate w2") {
		t.Fatalf("events %q", g.ev.all())
	}
	if st := g.r.Snapshot(); st.Counts.DrainTimeouts != 1 || st.Counts.Drained != 0 {
		t.Fatalf("counts %+v", st.Counts)
	}
}

func TestDrainsOnlyReadyWorkers(t *testing.T) {
	tests := []struct {
		name    string
		drain   []string
		drained []string
	}{
		{"ready worker", []string{"w1"}, []string{"w1"}},
		{"booting worker", []string{"b1"}, nil},
		{"stand-in for a worker being launched", []string{launchingPrefix + "1)"}, nil},
		{"unknown worker", []string{"zz"}, nil},
		{"booting and ready", []string{"b1", "w2"}, []string{"w2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
				return autoscaler.Decision{Desired: 1, Drain: tc.drain}
			}}
			g := newRig(t, testConfig(), pol, readyW("w1", 0, 0), readyW("w2", 0, 0), bootingW("b1"))
			g.r.Step(t.Context())
			g.settle(t)
			var drained []string
			for _, e := range g.ev.all() {
				if id, ok := cutPrefix(e, "drain "); ok {
					drained = append(drained, id)
				}
			}
			if !slices.Equal(drained, tc.drained) {
				t.Fatalf("drained %v, want %v (events %q)", drained, tc.drained, g.ev.all())
			}
			for _, id := range tc.drained {
				if g.ev.index("terminate "+id) < 0 {
					t.Fatalf("%s drained but not terminated: %q", id, g.ev.all())
				}
			}
		})
	}
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

func TestReplaceUnhealthy(t *testing.T) {
	cfg := testConfig()
	cfg.Min = 2
	sick := readyW("w2", 0, 0)
	sick.State, sick.UnhealthySince, sick.Healthy = lifecycle.Unhealthy, t0.Add(-time.Minute), false
	g := newRig(t, cfg, mustPolicy(t, cfg), readyW("w1", 0, 0), sick)
	d := g.r.Step(t.Context())
	if d.Action != lifecycle.ActionReplace || !slices.Equal(d.Workers, []string{"w2"}) {
		t.Fatalf("decision %+v", d)
	}
	g.settle(t)
	for _, ev := range []string{"drain w2", "terminate w2", "remove w2", "launch 1", "add new-1"} {
		if g.ev.index(ev) < 0 {
			t.Fatalf("no %q in %q", ev, g.ev.all())
		}
	}
	if g.ev.index("drain w2") > g.ev.index("terminate w2") {
		t.Fatalf("terminated before it was taken out of rotation: %q", g.ev.all())
	}
	if got := g.pool.ids(); !slices.Equal(got, []string{"w1", "new-1"}) {
		t.Fatalf("pool %v", got)
	}
	if st := g.r.Snapshot(); st.Counts.Replaced != 1 || st.Counts.Launched != 1 {
		t.Fatalf("counts %+v", st.Counts)
	}
}

func TestFailedTerminationIsRetried(t *testing.T) {
	pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
		if n == 1 {
			return autoscaler.Decision{Desired: 1, Drain: []string{"w2"}}
		}
		return keep(n, obs)
	}}
	g := newRig(t, testConfig(), pol, readyW("w1", 0, 0), readyW("w2", 0, 0))
	g.prov.termErr = errors.New("engine unavailable")
	ctx := t.Context()
	g.r.Step(ctx)
	g.settle(t)
	if got := g.pool.ids(); !slices.Equal(got, []string{"w1", "w2"}) {
		t.Fatalf("pool %v: a worker whose termination failed must stay (draining)", got)
	}
	g.prov.mu.Lock()
	g.prov.termErr = nil
	g.prov.mu.Unlock()
	g.clock.Advance(time.Second)
	g.r.Step(ctx)
	g.settle(t)
	if got := g.pool.ids(); !slices.Equal(got, []string{"w1"}) {
		t.Fatalf("pool %v after the retry; events %q", got, g.ev.all())
	}
}

func TestLaunchBackoffAfterFailures(t *testing.T) {
	pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
		return autoscaler.Decision{Desired: 2, Launch: 1}
	}}
	cfg := testConfig()
	g := newRig(t, cfg, pol, readyW("w1", 0, 0))
	g.prov.launchErr = errors.New("quota exceeded")
	ctx := t.Context()
	launches := func() int {
		n := 0
		for _, e := range g.ev.all() {
			if e == "launch 1" {
				n++
			}
		}
		return n
	}
	// Steps every 500 ms; the wait after failures is 1 s, then 2 s.
	steps := []struct {
		at   time.Duration
		want int
	}{
		{0, 1},
		{500 * time.Millisecond, 1},
		{time.Second, 2},
		{1500 * time.Millisecond, 2},
		{2500 * time.Millisecond, 2},
		{3 * time.Second, 3},
	}
	var now time.Duration
	for _, s := range steps {
		g.clock.Advance(s.at - now)
		now = s.at
		g.r.Step(ctx)
		g.settle(t)
		if got := launches(); got != s.want {
			t.Fatalf("at %v: %d launches, want %d", s.at, got, s.want)
		}
	}
	g.prov.mu.Lock()
	g.prov.launchErr = nil
	g.prov.mu.Unlock()
	g.clock.Advance(4 * time.Second)
	g.r.Step(ctx)
	g.settle(t)
	g.r.Step(ctx) // no wait after a success
	g.settle(t)
	if got := launches(); got != 5 {
		t.Fatalf("%d launches after success, want 5", got)
	}
	if st := g.r.Snapshot(); st.Counts.LaunchFailures != 3 || st.Counts.Launched != 2 {
		t.Fatalf("counts %+v", st.Counts)
	}
}

func TestArrivalsAreDifferenced(t *testing.T) {
	pol := &scripted{next: keep}
	g := newRig(t, testConfig(), pol, readyW("w1", 0, 0))
	ctx := t.Context()
	for _, total := range []float64{100, 250, 250, 40} {
		g.pool.mu.Lock()
		g.pool.arrived = total
		g.pool.mu.Unlock()
		g.r.Step(ctx)
	}
	var got []float64
	for _, o := range pol.observations() {
		got = append(got, o.ArrivedUnits)
	}
	// The last total went backwards: the load balancer restarted.
	if want := []float64{100, 150, 0, 40}; !slices.Equal(got, want) {
		t.Fatalf("arrivals %v, want %v", got, want)
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	cfg := testConfig()
	cfg.Max = 0
	_, err := New(Options{Config: cfg, Loop: Config{DrainTimeout: -time.Second}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"pool: required", "provider: required", "max:", "drain_timeout: must be > 0, got -1s"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	cfg = testConfig()
	cfg.Policy = "nope"
	if _, err := New(Options{Config: cfg, Loop: testLoop(), Pool: newFakePool(newEvents()), Provider: &fakeProvider{}}); err == nil || !contains(err.Error(), "policy") {
		t.Fatalf("unknown policy: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestJoinIDs(t *testing.T) {
	tests := []struct {
		name  string
		ids   []string
		limit int
		want  string
	}{
		{"none", nil, 10, ""},
		{"one", []string{"w1"}, 10, "w1"},
		{"several", []string{"w1", "w2", "w3"}, 10, "w1,w2,w3"},
		{"exactly the limit", []string{"w1", "w2"}, 5, "w1,w2"},
		{"cut at the limit", []string{"w1", "w2", "w3"}, 7, "w1,w2"},
		{"first too long", []string{"worker-1"}, 4, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := joinIDs(tc.ids, tc.limit); got != tc.want {
				t.Fatalf("joinIDs(%q, %d) = %q, want %q", tc.ids, tc.limit, got, tc.want)
			}
		})
	}
}

// Step must not be called concurrently with itself; Run and a test's Step
// are serialised.
func TestRunRefusesASecondRun(t *testing.T) {
	g := newRig(t, testConfig(), &scripted{next: keep}, readyW("w1", 0, 0))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- g.r.Run(ctx) }()
	g.clock.WaitTimers(t, 1)
	if err := g.r.Run(ctx); err == nil {
		t.Fatal("a second Run started")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
