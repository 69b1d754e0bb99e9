package proxy

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/testutil"
)

// TestStateChangesFollowTheLifecycle tries every change of a worker's state
// in the pool: one lifecycle allows is applied and logged at info level,
// any other is logged at error level with both states and not applied.
func TestStateChangesFollowTheLifecycle(t *testing.T) {
	for _, from := range lifecycle.States() {
		for _, to := range lifecycle.States() {
			if from == to {
				continue
			}
			t.Run(from.String()+"→"+to.String(), func(t *testing.T) {
				var logs bytes.Buffer
				c := &clock{t0}
				p := NewPool(PoolOptions{Config: testConfig(), Policy: firstReady{}, Now: c.now,
					Log: slog.New(slog.NewJSONHandler(&logs, nil))})
				if err := p.Add(provider.Instance{ID: "w", Address: "http://w"}); err != nil {
					t.Fatal(err)
				}
				p.mu.Lock()
				w := p.byID["w"]
				w.state = from
				logs.Reset()
				p.setStateLocked(w, to, "test")
				got := w.state
				p.mu.Unlock()

				allowed := from.CanBecome(to)
				want, level := from, "ERROR"
				if allowed {
					want, level = to, "INFO"
				}
				if got != want {
					t.Errorf("state %s, want %s", got, want)
				}
				lines := testutil.JSONLogLines(t, logs.Bytes())
				if len(lines) != 1 {
					t.Fatalf("%d log lines, want 1: %v", len(lines), lines)
				}
				l := lines[0]
				if l["level"] != level || l["worker"] != "w" || l["from"] != from.String() || l["to"] != to.String() {
					t.Errorf("log line %v, want level %s with from %s and to %s", l, level, from, to)
				}
			})
		}
	}
}

// TestDrainedWorkerStaysDraining: health checks and forwarding results do
// not take a worker out of draining.
func TestDrainedWorkerStaysDraining(t *testing.T) {
	var logs bytes.Buffer
	c := &clock{t0}
	cfg := testConfig()
	p := NewPool(PoolOptions{Config: cfg, Policy: firstReady{}, Now: c.now, Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err := p.Add(provider.Instance{ID: "w", Address: "http://w"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Drain("w"); err != nil {
		t.Fatal(err)
	}
	for range cfg.HealthyThreshold + cfg.UnhealthyThreshold {
		p.healthResult("w", nil, nil)
	}
	if st := p.Snapshot().Workers[0].State; st != lifecycle.Draining {
		t.Fatalf("a draining worker that passed its health checks is %s", st)
	}
	for _, l := range testutil.JSONLogLines(t, logs.Bytes()) {
		if l["level"] == "ERROR" {
			t.Errorf("error logged: %v", l)
		}
	}
}
