package autoscaler

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// every repeats one step every 2 s from from to to (inclusive).
func every(from, to float64, obs Observation, w want) []step {
	var out []step
	for s := from; s <= to; s += 2 {
		out = append(out, step{at: s, obs: obs, want: w})
	}
	return out
}

func script(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(at float64, obs Observation, w want) []step { return []step{{at: at, obs: obs, want: w}} }

func TestBacklogScripts(t *testing.T) {
	// In testConfig one worker does 500 units/s at the target, the backlog
	// is planned over 10 s, and arrivals are given per 2 s step.
	idle4 := Observation{Workers: ws(ready("w1", 0, 0), launched(ready("b1", 0, 0), 2), launched(ready("b2", 0, 0), 2), launched(ready("b3", 0, 0), 2))}
	tests := []struct {
		name  string
		cfg   func(*Config)
		steps []step
	}{
		{
			// 4000 units/s arrive for 6 s against one worker: panic, grow
			// straight to max, no more launches while booting, stay in
			// panic until the stable window has been calm, then shrink one
			// worker per evaluation after the scale-down delay.
			name: "burst",
			steps: script(
				one(0, Observation{Workers: ws(ready("w1", 0, 0))}, want{desired: 1}),
				one(2, Observation{Workers: ws(ready("w1", 1000, 1)), ArrivedUnits: 8000, QueuedUnits: 6000, QueueLen: 6},
					want{desired: 4, launch: 3, panic: true, reason: []string{"entering panic", "backlog 7k units", "need 5.4 workers", "capped at max 4", "launch 3"}}),
				one(4, Observation{Workers: ws(ready("w1", 1000, 1), booting("b1", 2), booting("b2", 2), booting("b3", 2)), ArrivedUnits: 8000, QueuedUnits: 14000, QueueLen: 14},
					want{desired: 4, panic: true, reason: []string{"have 1 ready + 3 booting → keep 4"}}),
				one(6, Observation{Workers: ws(ready("w1", 1000, 1), launched(ready("b1", 1000, 1), 2), launched(ready("b2", 1000, 1), 2), launched(ready("b3", 1000, 1), 2)), ArrivedUnits: 8000, QueuedUnits: 8000, QueueLen: 8},
					want{desired: 4, panic: true}),
				// Calm from here on: still in panic, and no scale-down in panic.
				one(8, idle4, want{desired: 4, panic: true, reason: []string{"calm for 2s of 20s"}}),
				every(10, 12, idle4, want{desired: 4, panic: true}),
				// The stable need has dropped to 3 workers by now.
				every(14, 24, idle4, want{desired: 4, panic: true, reason: []string{"kept at 4 while in panic"}}),
				// Panic last held at 6 s; 20 s later it ends, and the target
				// is held at the panic size for the scale-down delay.
				one(26, idle4, want{desired: 4, reason: []string{"leaving panic after 20s calm", "held at 4"}}),
				every(28, 34, idle4, want{desired: 4}),
				one(36, idle4, want{desired: 1, drain: []string{"b1"}}),
				one(38, Observation{Workers: ws(ready("w1", 0, 0), draining("b1"), launched(ready("b2", 0, 0), 2), launched(ready("b3", 0, 0), 2))}, want{desired: 1, drain: []string{"b2"}}),
				one(40, Observation{Workers: ws(ready("w1", 0, 0), draining("b1"), draining("b2"), launched(ready("b3", 0, 0), 2))}, want{desired: 1, drain: []string{"b3"}}),
				one(42, Observation{Workers: ws(ready("w1", 0, 0), draining("b3"))}, want{desired: 1, reason: []string{"(1 draining) → keep 1"}}),
			),
		},
		{
			// 600 units/s arriving and 2000 units in flight need 1.6 workers.
			name: "steady load stays put",
			steps: every(0, 40, Observation{Workers: ws(ready("w1", 1000, 1), ready("w2", 1000, 1)), ArrivedUnits: 1200},
				want{desired: 2, reason: []string{"backlog 2k units + arrivals 600 units/s need 1.6 workers of 1k units/s at 50% target", "keep 2"}}),
		},
		{
			// The backlog alternates between needing 1.8 and 0.1 workers;
			// the target stays at 2 until the high value has been gone for
			// the scale-down delay, then the idle worker is drained. (A
			// request in flight always needs at least one worker.)
			name: "flapping input, steady output",
			steps: script(
				func() []step {
					var out []step
					for s := 0.0; s <= 30; s += 2 {
						q := 8500.0
						if int(s)%4 == 2 {
							q = 0
						}
						out = append(out, step{at: s, obs: Observation{Workers: ws(ready("w1", 500, 1), ready("w2", 0, 0)), QueuedUnits: q, QueueLen: int(q / 1000)}, want: want{desired: 2}})
					}
					return out
				}(),
				// The last high value came at 28 s: held until 38 s.
				every(32, 38, Observation{Workers: ws(ready("w1", 500, 1), ready("w2", 0, 0))}, want{desired: 2, reason: []string{"need 1.0 workers", "held at 2 (highest target over the last 10s)"}}),
				one(40, Observation{Workers: ws(ready("w1", 500, 1), ready("w2", 0, 0))}, want{desired: 1, drain: []string{"w2"}}),
				one(42, Observation{Workers: ws(ready("w1", 500, 1), draining("w2"))}, want{desired: 1}),
			),
		},
		{
			// 800 units/s need 2 workers; the one launched counts while it
			// boots, so no more are launched; when it has not become ready
			// after boot time + replace-after it is replaced.
			name: "boot delays: booting workers count",
			steps: script(
				one(0, Observation{Workers: ws(ready("w1", 0, 0)), ArrivedUnits: 1600}, want{desired: 2, launch: 1, reason: []string{"need 1.6 workers"}}),
				every(2, 8, Observation{Workers: ws(ready("w1", 1000, 1), booting("b1", 0)), ArrivedUnits: 1600, QueuedUnits: 500, QueueLen: 1},
					want{desired: 2, reason: []string{"need 1.9 workers", "1 ready + 1 booting → keep 2"}}),
				one(10, Observation{Workers: ws(ready("w1", 1000, 1), booting("b1", 0)), ArrivedUnits: 1600, QueuedUnits: 500, QueueLen: 1},
					want{desired: 2, launch: 1, replace: []string{"b1"}, reason: []string{"replace b1 (booting 10s) and launch 1"}}),
				one(12, Observation{Workers: ws(ready("w1", 1000, 1), booting("b2", 10)), ArrivedUnits: 1600, QueuedUnits: 500, QueueLen: 1}, want{desired: 2}),
				one(14, Observation{Workers: ws(ready("w1", 1000, 1), launched(ready("b2", 0, 0), 10)), ArrivedUnits: 1600}, want{desired: 2}),
			),
		},
		{
			name: "worker failure is replaced after replace-after",
			steps: script(
				one(0, Observation{Workers: ws(ready("w1", 1000, 1), ready("w2", 1000, 1), ready("w3", 1000, 1)), ArrivedUnits: 2000},
					want{desired: 3, reason: []string{"need 2.6 workers"}}),
				every(2, 6, Observation{Workers: ws(ready("w1", 1000, 1), unhealthy("w2", 2), ready("w3", 1000, 1)), ArrivedUnits: 2000},
					want{desired: 3, reason: []string{"2 ready + 0 booting + 1 unhealthy → keep 3"}}),
				one(8, Observation{Workers: ws(ready("w1", 1000, 1), unhealthy("w2", 2), ready("w3", 1000, 1)), ArrivedUnits: 2000},
					want{desired: 3, launch: 1, replace: []string{"w2"}, reason: []string{"replace w2 (unhealthy 6s) and launch 1"}}),
				one(10, Observation{Workers: ws(ready("w1", 1000, 1), ready("w3", 1000, 1), booting("w4", 8)), ArrivedUnits: 2000}, want{desired: 3}),
			),
		},
		{
			// Without UnhealthySince the policy counts from when it first
			// saw the worker unhealthy, and forgets a worker that recovers.
			name: "worker failure without a reported start",
			steps: script(
				one(0, Observation{Workers: ws(ready("w1", 1000, 1), ready("w2", 1000, 1), ready("w3", 1000, 1)), ArrivedUnits: 2000}, want{desired: 3}),
				one(2, Observation{Workers: ws(ready("w1", 1000, 1), unhealthyUnknown("w2"), ready("w3", 1000, 1)), ArrivedUnits: 2000}, want{desired: 3}),
				one(4, Observation{Workers: ws(ready("w1", 1000, 1), ready("w2", 1000, 1), ready("w3", 1000, 1)), ArrivedUnits: 2000}, want{desired: 3}),
				every(6, 10, Observation{Workers: ws(ready("w1", 1000, 1), unhealthyUnknown("w2"), ready("w3", 1000, 1)), ArrivedUnits: 2000}, want{desired: 3}),
				one(12, Observation{Workers: ws(ready("w1", 1000, 1), unhealthyUnknown("w2"), ready("w3", 1000, 1)), ArrivedUnits: 2000},
					want{desired: 3, launch: 1, replace: []string{"w2"}, reason: []string{"w2 (unhealthy 6s)"}}),
			),
		},
		{
			// Demand for one worker with six in the pool: drain the least
			// predicted work left (then fewest in flight, then newest),
			// MaxScaleDownStep at a time, never the booting one.
			name: "scale-in picks the least-loaded ready worker, never a booting one",
			cfg:  func(c *Config) { c.ScaleDownDelay = 0; c.MaxScaleDownStep = 2 },
			steps: script(
				one(0, Observation{Workers: ws(ready("r1", 3000, 3), ready("r2", 200, 2), ready("r3", 200, 1),
					launched(ready("r4", 0, 0), -50), launched(ready("r5", 0, 0), -10), booting("b1", 0))},
					want{desired: 1, drain: []string{"r5", "r4"}, reason: []string{"need 1.0 workers", "drain r5, r4"}}),
				one(2, Observation{Workers: ws(ready("r1", 3000, 3), ready("r2", 200, 2), ready("r3", 200, 1),
					draining("r4"), draining("r5"), booting("b1", 0))},
					want{desired: 1, drain: []string{"r3", "r2"}}),
				one(4, Observation{Workers: ws(ready("r1", 3000, 3), draining("r2"), draining("r3"), booting("b1", 0))},
					want{desired: 1, reason: []string{"keep 2 until the extra booting or unhealthy workers settle"}}),
				one(6, Observation{Workers: ws(ready("r1", 3000, 3), launched(ready("b1", 0, 0), 0))},
					want{desired: 1, drain: []string{"b1"}}),
			),
		},
		{
			name: "min: an empty pool is filled to min",
			cfg:  func(c *Config) { c.Min = 2 },
			steps: script(
				one(0, Observation{}, want{desired: 2, launch: 2, reason: []string{"raised to min 2", "have 0 ready + 0 booting → launch 2"}}),
				every(2, 4, Observation{Workers: ws(booting("a", 0), booting("b", 0))}, want{desired: 2}),
			),
		},
		{
			name: "max: infinite demand is capped",
			steps: one(0, Observation{Workers: ws(ready("w1", 0, 0)), QueuedUnits: math.Inf(1), QueueLen: 1},
				want{desired: 4, launch: 3, panic: true, reason: []string{"capped at max 4"}}),
		},
		{
			name: "max: a pool above max drains one per evaluation under load",
			steps: script(
				one(0, Observation{Workers: ws(ready("w1", 6000, 6), ready("w2", 5000, 5), ready("w3", 4000, 4), ready("w4", 3000, 3), ready("w5", 2000, 2), ready("w6", 1000, 1)), QueuedUnits: 1e9, QueueLen: 100},
					want{desired: 4, drain: []string{"w6"}, panic: true}),
				one(2, Observation{Workers: ws(ready("w1", 6000, 6), ready("w2", 5000, 5), ready("w3", 4000, 4), ready("w4", 3000, 3), ready("w5", 2000, 2), draining("w6")), QueuedUnits: 1e9, QueueLen: 100},
					want{desired: 4, drain: []string{"w5"}, panic: true}),
			),
		},
		{
			name: "min 0: idle pool scales to zero, a queued request brings a worker back",
			cfg:  func(c *Config) { c.Min = 0; c.ScaleDownDelay = 0 },
			steps: script(
				one(0, Observation{Workers: ws(ready("w1", 0, 0))}, want{desired: 0, drain: []string{"w1"}}),
				one(2, Observation{Workers: ws(draining("w1"))}, want{desired: 0}),
				one(4, Observation{QueueLen: 1}, want{desired: 1, launch: 1, reason: []string{"need 1.0 workers"}}),
			),
		},
		{
			name: "a terminated worker is neither counted nor replaced",
			steps: one(0, Observation{Workers: ws(ready("w1", 0, 0), Worker{ID: "w2", State: lifecycle.Terminated, LaunchedAt: at(-100), InFlight: 3, PredictedLeft: 1e9})},
				want{desired: 1, reason: []string{"have 1 ready + 0 booting (1 terminated ignored) → keep 1"}}),
		},
		{
			name: "a repeated worker ID is ignored",
			steps: one(0, Observation{Workers: ws(ready("w1", 0, 0), ready("w2", 0, 0), unhealthy("w2", -60), ready("w3", 0, 0))},
				want{desired: 3, reason: []string{"held at 3", "(1 with a repeated ID ignored)"}}),
		},
		{
			name: "the pool found at start is not drained before the scale-down delay",
			steps: script(
				every(0, 10, Observation{Workers: ws(ready("w1", 0, 0), ready("w2", 0, 0), ready("w3", 0, 0))}, want{desired: 3, reason: []string{"need 0.0 workers", "held at 3"}}),
				one(12, Observation{Workers: ws(ready("w1", 0, 0), ready("w2", 0, 0), ready("w3", 0, 0))}, want{desired: 1, drain: []string{"w1"}}),
			),
		},
		{
			name: "bad numbers are ignored",
			steps: every(0, 4, Observation{Workers: ws(Worker{ID: "w1", State: lifecycle.Ready, PredictedLeft: math.NaN(), Speed: math.NaN(), InFlight: -3}),
				ArrivedUnits: math.NaN(), QueuedUnits: -5, QueueLen: -1}, want{desired: 1}),
		},
		{
			name: "unknown speeds use the median of the known ones",
			// Known speeds 1000 and 3000 (median 2000, so 1000 units/s at
			// the target); 4000 units/s of arrivals need 4 such workers.
			steps: one(0, Observation{Workers: ws(ready("w1", 0, 0), func() Worker { w := ready("w2", 0, 0); w.Speed = 3000; return w }(), func() Worker { w := ready("w3", 0, 0); w.Speed = 0; return w }()),
				ArrivedUnits: 8000}, want{desired: 4, launch: 1, reason: []string{"need 4.0 workers"}}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			runScript(t, mustNew(t, "backlog", cfg), tc.steps)
		})
	}
}

// TestBacklogWithoutStabilisationFlaps shows that the stabilisation window
// is what keeps the flapping input above from flapping the pool: with a
// scale-down delay of zero the same input changes the target every time.
func TestBacklogWithoutStabilisationFlaps(t *testing.T) {
	cfg := testConfig()
	cfg.ScaleDownDelay = 0
	p := mustNew(t, "backlog", cfg)
	changes, prev := 0, -1
	for s := 0.0; s <= 30; s += 2 {
		q := 8500.0
		if int(s)%4 == 2 {
			q = 0
		}
		d := p.Decide(at(s), Observation{Workers: ws(ready("w1", 500, 1), ready("w2", 0, 0)), QueuedUnits: q})
		if prev >= 0 && d.Desired != prev {
			changes++
		}
		prev = d.Desired
	}
	if changes < 15 {
		t.Fatalf("target changed %d times over 16 evaluations; want it to follow the input every time", changes)
	}
}

// TestBacklogTimeGoingBackwards: an earlier now is taken as the previous
// one, so windows are not corrupted and the decision stays sane.
func TestBacklogTimeGoingBackwards(t *testing.T) {
	p := mustNew(t, "backlog", testConfig())
	// 8000 units in flight over 10 s need 1.6 workers.
	obs := Observation{Workers: ws(ready("w1", 4000, 1), ready("w2", 4000, 1))}
	for _, s := range []float64{0, 2, 4, 1, -100, 6} {
		d := p.Decide(at(s), obs)
		if d.Desired != 2 || d.Launch != 0 || len(d.Drain) != 0 {
			t.Fatalf("t=%g: %+v", s, d)
		}
	}
}

func TestRateWindow(t *testing.T) {
	tests := []struct {
		name   string
		adds   []struct{ at, units float64 }
		now    float64
		window time.Duration
		want   float64
	}{
		{"first sample covers the interval", []struct{ at, units float64 }{{0, 2000}}, 0, 6 * time.Second, 1000},
		{"short history averages over what was seen", []struct{ at, units float64 }{{0, 0}, {2, 2000}, {4, 2000}}, 4, 60 * time.Second, 2000.0 * 2 / 6},
		{"old samples leave the window", []struct{ at, units float64 }{{0, 6000}, {2, 0}, {4, 0}, {6, 0}, {8, 600}}, 8, 6 * time.Second, 100},
		{"straddling sample counts in proportion", []struct{ at, units float64 }{{0, 0}, {10, 1000}}, 10, 5 * time.Second, 100},
		{"same time adds up", []struct{ at, units float64 }{{0, 100}, {0, 100}}, 0, 2 * time.Second, 100},
		{"a gap dilutes", []struct{ at, units float64 }{{0, 0}, {100, 1000}}, 100, 60 * time.Second, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w rateWindow
			for _, a := range tc.adds {
				w.add(at(a.at), a.units, 2*time.Second)
			}
			if got := w.rate(at(tc.now), tc.window); math.Abs(got-tc.want) > 1e-9*max(1, tc.want) {
				t.Fatalf("rate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRateWindowStaysBounded(t *testing.T) {
	var w rateWindow
	total := 0.0
	for i := range 3 * maxRateSamples {
		w.add(t0.Add(time.Duration(i)*time.Millisecond), 1, time.Millisecond)
		total++
	}
	if len(w.s) > maxRateSamples {
		t.Fatalf("%d samples kept, limit %d", len(w.s), maxRateSamples)
	}
	now := t0.Add(time.Duration(3*maxRateSamples-1) * time.Millisecond)
	// All arrivals fall inside a long window: compaction keeps the total.
	got := w.rate(now, time.Hour) * now.Sub(w.start).Seconds()
	if math.Abs(got-total) > 1e-6 {
		t.Fatalf("total after compaction %v, want %v", got, total)
	}
}

func TestMaxWindow(t *testing.T) {
	var m maxWindow
	vals := []int{3, 1, 2, 5, 1, 1, 1, 1}
	want := []int{3, 3, 3, 5, 5, 5, 5, 1} // window 6 s, one value per 2 s
	for i, v := range vals {
		now := at(float64(2 * i))
		m.add(now, v)
		if got := m.max(now, 6*time.Second); got != want[i] {
			t.Fatalf("step %d: max %d, want %d", i, got, want[i])
		}
	}
	if len(m.q) > 4 {
		t.Fatalf("queue holds %d entries", len(m.q))
	}
}

func TestSI(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{0, "0"}, {4.2, "4.2"}, {812345, "812k"}, {999999, "1M"}, {95000, "95k"}, {5e7, "50M"}, {1.5e9, "1.5G"}, {-2500, "-2.5k"}, {math.Inf(1), "+Inf"}} {
		if got := si(tc.in); got != tc.want {
			t.Errorf("si(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func ExampleNew() {
	p, err := New("backlog", Default())
	if err != nil {
		panic(err)
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	d := p.Decide(now, Observation{
		Workers: []Worker{
			{ID: "w1", State: lifecycle.Ready, InFlight: 3, PredictedLeft: 200e6, Speed: 50e6},
			{ID: "w2", State: lifecycle.Ready, InFlight: 2, PredictedLeft: 150e6, Speed: 50e6},
			{ID: "w3", State: lifecycle.Booting},
		},
		QueuedUnits: 250e6, QueueLen: 6,
		ArrivedUnits: 120e6, // in the last 2 s
	})
	fmt.Println(d.Desired, d.Launch, d.Panic)
	fmt.Println(d.Reason)
	// Output:
	// 4 1 false
	// backlog 600M units + arrivals 60M units/s need 3.4 workers of 50M units/s at 70% target; have 2 ready + 1 booting → launch 1
}
