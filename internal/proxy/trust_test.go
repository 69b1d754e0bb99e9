package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
)

// completeScripted routes one request at a time to the pool's only worker
// (speed 100: 100 units are predicted to need 1 s alone) and answers it
// after the next of took, so each completion's observed service is its
// entry in took.
func completeScripted(t *testing.T, p *Pool, c *clock, took []time.Duration) {
	t.Helper()
	for _, d := range took {
		l, err := p.acquire(context.Background(), request{units: 100}, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		c.advance(d)
		p.release(l, resultOK)
	}
}

// scrapeGauge returns the value of the unlabelled gauge name on /metrics
// and whether it is there.
func scrapeGauge(t *testing.T, h http.Handler, name string) (float64, bool) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return f, true
	}
	return 0, false
}

// getRouting reads the routing section of GET /api/v1/state.
func getRouting(t *testing.T, h http.Handler) RoutingState {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/state", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/api/v1/state: status %d", rec.Code)
	}
	var st struct {
		Routing RoutingState `json:"routing"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	return st.Routing
}

// TestStateShowsCostTrust: completions whose service scatters far above
// the prediction (every other one five times slower) make the cost policy
// distrust its predictions, and the state API and vfx_lb_cost_trust both
// say so, with the time the trust fell; accurate completions, or a
// constant slowdown (which does not change which worker is best), leave
// it at 1. A policy that does not predict shows trust 1, no drift and no
// gauge.
func TestStateShowsCostTrust(t *testing.T) {
	const n = 40
	var onTime, slow, erratic []time.Duration
	for i := range n {
		onTime = append(onTime, time.Second)
		slow = append(slow, 3*time.Second)
		erratic = append(erratic, time.Duration(1+4*(i%2))*time.Second)
	}
	tests := []struct {
		name       string
		policy     string
		took       []time.Duration
		distrusted bool
	}{
		{"accurate completions", "cost", onTime, false},
		{"constantly three times slower: a bias, not drift", "cost", slow, false},
		{"erratically up to five times slower", "cost", erratic, true},
		{"no completions yet", "cost", nil, false},
		{"a policy that does not predict", "least-requests", erratic, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t0}
			pol, err := balancer.New(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			cfg := testConfig()
			cfg.Policy = tc.policy
			p := readyPool(t, cfg, pol, fixedSpeeds{"a": 100}, c, "a")
			srv, err := New(Options{Config: cfg, Pool: p, Estimator: &fakeEst{units: 100}, Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			start := c.now()
			completeScripted(t, p, c, tc.took)
			h := srv.Handler()
			rs := getRouting(t, h)
			gauge, hasGauge := scrapeGauge(t, h, "vfx_lb_cost_trust")
			if rs.Name != tc.policy {
				t.Errorf("routing name %q, want %q", rs.Name, tc.policy)
			}
			if tc.policy != "cost" {
				if rs.Trust != 1 || rs.Drift != nil || hasGauge {
					t.Errorf("routing %+v, gauge present %v; want trust 1, no drift, no gauge", rs, hasGauge)
				}
				return
			}
			if !hasGauge {
				t.Fatal("no vfx_lb_cost_trust on /metrics")
			}
			if gauge != rs.Trust {
				t.Errorf("vfx_lb_cost_trust %v, state API trust %v: they disagree", gauge, rs.Trust)
			}
			if rs.Drift == nil {
				t.Fatal("no drift in the routing state of the cost policy")
			}
			if rs.Drift.Samples != int64(len(tc.took)) {
				t.Errorf("drift samples %d, want %d", rs.Drift.Samples, len(tc.took))
			}
			if !tc.distrusted {
				if rs.Trust != 1 || rs.Drift.BelowFullTrustSince != nil {
					t.Errorf("trust %v since %v, want 1 and no since", rs.Trust, rs.Drift.BelowFullTrustSince)
				}
				return
			}
			if !(rs.Trust < 1) || rs.Trust < 0 {
				t.Errorf("trust %v, want in [0, 1)", rs.Trust)
			}
			if !(rs.Drift.Error > 0) || !(rs.Drift.Bias > 0) {
				t.Errorf("drift %+v, want a positive bias and error (slower than predicted, scattered)", *rs.Drift)
			}
			if s := rs.Drift.BelowFullTrustSince; s == nil || !s.After(start) || s.After(c.now()) {
				t.Errorf("below full trust since %v, want during the completions (%v to %v)", s, start, c.now())
			}
		})
	}
}
