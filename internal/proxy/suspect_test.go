package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/testutil"
)

// errProbeTimeout is a health check that got no answer in time, as the
// HTTP client reports it.
var errProbeTimeout = fmt.Errorf(`health check of http://a: %w`, context.DeadlineExceeded)

// TestHealthCheckTimeoutMakesAWorkerSuspect scripts health checks of a
// ready worker: a timeout takes it out of service at once and a passed
// check brings it back; other failures wait for the threshold, and so do
// timeouts that reach it.
func TestHealthCheckTimeoutMakesAWorkerSuspect(t *testing.T) {
	refused := errors.New("health check of http://a: connection refused")
	type check struct {
		err     error
		state   lifecycle.State
		suspect bool
	}
	cfg := testConfig() // healthy 2, unhealthy 3
	for _, tc := range []struct {
		name   string
		checks []check
	}{
		{"a timeout: suspect at once, back at the first pass", []check{
			{errProbeTimeout, lifecycle.Unhealthy, true},
			{nil, lifecycle.Ready, false},
		}},
		{"a refused check waits for the threshold", []check{
			{refused, lifecycle.Ready, false},
			{refused, lifecycle.Ready, false},
			{refused, lifecycle.Unhealthy, false},
			{nil, lifecycle.Unhealthy, false},
			{nil, lifecycle.Ready, false},
		}},
		{"a refusal after a timeout keeps it suspect", []check{
			{errProbeTimeout, lifecycle.Unhealthy, true},
			{refused, lifecycle.Unhealthy, true},
			{nil, lifecycle.Ready, false},
		}},
		{"timeouts up to the threshold: unhealthy the usual way", []check{
			{errProbeTimeout, lifecycle.Unhealthy, true},
			{errProbeTimeout, lifecycle.Unhealthy, true},
			{errProbeTimeout, lifecycle.Unhealthy, false},
			{nil, lifecycle.Unhealthy, false},
			{nil, lifecycle.Ready, false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			p := readyPool(t, cfg, firstReady{}, nil, &clock{t0}, "a")
			p.log = slog.New(slog.NewJSONHandler(&logs, nil))
			for i, c := range tc.checks {
				p.healthResult("a", c.err, nil)
				w := p.Snapshot().Workers[0]
				if w.State != c.state || w.Suspect != c.suspect {
					t.Fatalf("after check %d (%v): %s suspect=%v, want %s suspect=%v", i+1, c.err, w.State, w.Suspect, c.state, c.suspect)
				}
			}
			for _, l := range testutil.JSONLogLines(t, logs.Bytes()) {
				if l["level"] == "ERROR" {
					t.Errorf("error logged: %v", l)
				}
			}
		})
	}
}

// TestSuspectWorkerGetsNoRequests: an attempt outliving its deadline takes
// its worker out of service at once; an answer from it brings it back.
func TestSuspectWorkerGetsNoRequests(t *testing.T) {
	var logs bytes.Buffer
	p := readyPool(t, testConfig(), firstReady{}, nil, &clock{t0}, "a", "b")
	p.log = slog.New(slog.NewJSONHandler(&logs, nil))
	ctx := context.Background()
	la, err := p.acquire(ctx, request{id: "r1", units: 1}, nil, true)
	if err != nil || la.workerID != "a" {
		t.Fatalf("first request on %v (%v), want a", la, err)
	}
	unresponsive, stalled := p.overdue(la, "r1")
	if unresponsive || stalled == nil {
		t.Fatalf("overdue on a worker that answers its checks: unresponsive=%v stalled=%v", unresponsive, stalled)
	}
	if w := p.Snapshot().Workers[0]; w.State != lifecycle.Unhealthy || !w.Suspect {
		t.Fatalf("a after an overdue attempt: %s suspect=%v, want unhealthy and suspect", w.State, w.Suspect)
	}
	lb, err := p.acquire(ctx, request{id: "r2", units: 1}, nil, true)
	if err != nil || lb.workerID != "b" {
		t.Fatalf("request while a is suspect went to %v (%v), want b", lb, err)
	}
	p.release(lb, resultOK)
	p.release(la, resultOK) // a answers after all
	if w := p.Snapshot().Workers[0]; w.State != lifecycle.Ready || w.Suspect {
		t.Fatalf("a after it answered: %s suspect=%v, want ready", w.State, w.Suspect)
	}
	if l, err := p.acquire(ctx, request{id: "r3", units: 1}, nil, true); err != nil || l.workerID != "a" {
		t.Fatalf("request after a answered went to %v (%v), want a", l, err)
	} else {
		p.release(l, resultOK)
	}
	var reasons []string
	for _, l := range testutil.JSONLogLines(t, logs.Bytes()) {
		if l["msg"] == "worker state" && l["worker"] == "a" {
			reasons = append(reasons, fmt.Sprint(l["to"], ": ", l["reason"]))
		}
	}
	want := []string{"unhealthy: suspect: attempt deadline passed (request r1)", "ready: answered again"}
	if fmt.Sprint(reasons) != fmt.Sprint(want) {
		t.Errorf("state changes of a logged %q, want %q", reasons, want)
	}
}

// TestStalledWakesOverdueAttempts: the channel overdue returns closes when
// the worker's health check times out or the worker leaves the pool; once
// a check timed out, overdue reports the worker unresponsive.
func TestStalledWakesOverdueAttempts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stall func(p *Pool)
	}{
		{"health check timed out", func(p *Pool) { p.healthResult("a", errProbeTimeout, nil) }},
		{"removed", func(p *Pool) { _ = p.Remove("a") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := readyPool(t, testConfig(), firstReady{}, nil, &clock{t0}, "a")
			l, err := p.acquire(context.Background(), request{id: "r1", units: 1}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			_, stalled := p.overdue(l, "r1")
			select {
			case <-stalled:
				t.Fatal("stalled closed before the worker stopped answering")
			default:
			}
			tc.stall(p)
			select {
			case <-stalled:
			default:
				t.Fatal("stalled still open")
			}
			if unresponsive, _ := p.overdue(l, "r1"); !unresponsive {
				t.Error("overdue does not report the worker unresponsive")
			}
		})
	}
	// A passed check makes it responsive again.
	p := readyPool(t, testConfig(), firstReady{}, nil, &clock{t0}, "a")
	l, _ := p.acquire(context.Background(), request{id: "r1", units: 1}, nil, true)
	p.healthResult("a", errProbeTimeout, nil)
	p.healthResult("a", nil, nil)
	if unresponsive, stalled := p.overdue(l, "r1"); unresponsive || stalled == nil {
		t.Errorf("after a passed check: unresponsive=%v stalled=%v, want a worker that answers", unresponsive, stalled)
	}
}

// TestSuspicionLeavesOtherStatesAlone: only a ready worker becomes
// suspect; a draining one stays draining, a booting one booting, and no
// change the lifecycle refuses is attempted.
func TestSuspicionLeavesOtherStatesAlone(t *testing.T) {
	for _, st := range []lifecycle.State{lifecycle.Booting, lifecycle.Draining} {
		t.Run(st.String(), func(t *testing.T) {
			var logs bytes.Buffer
			p := readyPool(t, testConfig(), firstReady{}, nil, &clock{t0}, "a")
			p.log = slog.New(slog.NewJSONHandler(&logs, nil))
			l, err := p.acquire(context.Background(), request{id: "r1", units: 1}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			p.mu.Lock()
			p.byID["a"].state = st
			p.mu.Unlock()
			p.overdue(l, "r1")
			p.healthResult("a", errProbeTimeout, nil)
			if w := p.Snapshot().Workers[0]; w.State != st || w.Suspect {
				t.Errorf("%s worker after an overdue attempt and a timed-out check: %s suspect=%v", st, w.State, w.Suspect)
			}
			for _, line := range testutil.JSONLogLines(t, logs.Bytes()) {
				if line["level"] == "ERROR" {
					t.Errorf("error logged: %v", line)
				}
			}
		})
	}
}
