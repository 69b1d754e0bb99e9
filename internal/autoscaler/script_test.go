package autoscaler

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// t0 is the start of every script.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// step is one evaluation of a script: at t0+at, the policy sees obs and must
// decide want.
type step struct {
	at   float64 // seconds after t0
	obs  Observation
	want want
}

// want is the expected decision. Every field is checked on every step;
// reason lists substrings the Reason must contain.
type want struct {
	desired int
	launch  int
	drain   []string
	replace []string
	panic   bool
	reason  []string
}

// runScript feeds the steps to p in order and checks every decision.
func runScript(t *testing.T, p Policy, steps []step) {
	t.Helper()
	for _, s := range steps {
		d := p.Decide(at(s.at), s.obs)
		w := s.want
		if d.Desired != w.desired || d.Launch != w.launch || !slices.Equal(d.Drain, w.drain) ||
			!slices.Equal(d.Replace, w.replace) || d.Panic != w.panic {
			t.Errorf("t=%gs: got desired %d launch %d drain %v replace %v panic %v; want desired %d launch %d drain %v replace %v panic %v\nreason: %s",
				s.at, d.Desired, d.Launch, d.Drain, d.Replace, d.Panic,
				w.desired, w.launch, w.drain, w.replace, w.panic, d.Reason)
		}
		for _, sub := range w.reason {
			if !strings.Contains(d.Reason, sub) {
				t.Errorf("t=%gs: reason %q does not contain %q", s.at, d.Reason, sub)
			}
		}
		if d.Reason == "" {
			t.Errorf("t=%gs: empty reason", s.at)
		}
	}
}

// Worker builders. Every worker has speed 1000 units/s unless said
// otherwise; launched is in seconds after t0.

func ready(id string, left float64, inFlight int) Worker {
	return Worker{ID: id, State: lifecycle.Ready, LaunchedAt: at(-100), InFlight: inFlight, PredictedLeft: left, Speed: 1000, CPUPercent: -1}
}

func booting(id string, launched float64) Worker {
	return Worker{ID: id, State: lifecycle.Booting, LaunchedAt: at(launched), CPUPercent: -1}
}

func draining(id string) Worker {
	return Worker{ID: id, State: lifecycle.Draining, LaunchedAt: at(-100), Speed: 1000, CPUPercent: -1}
}

func unhealthy(id string, since float64) Worker {
	w := unhealthyUnknown(id)
	w.UnhealthySince = at(since)
	return w
}

// unhealthyUnknown is an unhealthy worker that does not say since when.
func unhealthyUnknown(id string) Worker {
	return Worker{ID: id, State: lifecycle.Unhealthy, LaunchedAt: at(-100), Speed: 1000, CPUPercent: -1}
}

func launched(w Worker, sec float64) Worker { w.LaunchedAt = at(sec); return w }

func withCPU(w Worker, cpu float64) Worker { w.CPUPercent = cpu; return w }

func ws(w ...Worker) []Worker { return w }

// testConfig is a small-scale configuration that keeps the scripts short:
// one worker does 1000 units/s, so 500 units/s at the 50 % target.
func testConfig() Config {
	c := Default()
	c.Min, c.Max = 1, 4
	c.TargetUtilization = 0.5
	c.Interval = 2 * time.Second
	c.StableWindow = 20 * time.Second
	c.PanicWindow = 4 * time.Second
	c.PanicThreshold = 2
	c.BacklogHorizon = 10 * time.Second
	c.ScaleDownDelay = 10 * time.Second
	c.MaxScaleDownStep = 1
	c.BootTime = 4 * time.Second
	c.ReplaceAfter = 6 * time.Second
	c.CPUHigh, c.CPULow = 50, 15
	c.DefaultSpeed = 1000
	return c
}

func mustNew(t testing.TB, name string, cfg Config) Policy {
	t.Helper()
	p, err := New(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
