package proxy

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
)

// recordPolicy picks the first ready worker and keeps the snapshot it saw.
type recordPolicy struct{ seen []balancer.WorkerState }

func (r *recordPolicy) Pick(_ balancer.Request, ws []balancer.WorkerState, _ *rand.Rand) (int, error) {
	r.seen = append(r.seen[:0], ws...)
	for i := range r.seen {
		r.seen[i].Left = append([]float64(nil), ws[i].Left...)
	}
	for i, w := range ws {
		if balancer.Eligible(w) {
			return i, nil
		}
	}
	return -1, balancer.ErrNoWorker
}

// TestProcessorSharing: the pool tracks the core-seconds each request
// gets (its progress), learns the share of a core requests got and turns
// the learnt per-request speed into the speed of one request alone, and
// passes the worker's cores and each request's work left to the policy.
func TestProcessorSharing(t *testing.T) {
	ctx := context.Background()
	cores := func(v float64) *workerStatus { return &workerStatus{Cores: &v} }
	tests := []struct {
		name      string
		status    *workerStatus
		wantCores float64
		// Two requests of 1000 units run together for 5 s at a learnt 100
		// units/s per request, then a third of 1000 is routed.
		wantLeft []float64
	}{
		// One core: each of the two got 250 units done (half a core).
		{"one core shared by two", nil, 0, []float64{750, 750}},
		// Two cores: each had a core, 500 done.
		{"two cores", cores(2), 2, []float64{500, 500}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t0}
			rec := &recordPolicy{}
			p := readyPool(t, testConfig(), rec, fixedSpeeds{"a": 100}, c, "a")
			if tc.status != nil {
				p.healthResult("a", nil, tc.status)
			}
			for range 2 {
				if _, err := p.acquire(ctx, request{units: 1000}, nil, true); err != nil {
					t.Fatal(err)
				}
			}
			c.advance(5 * time.Second)
			if _, err := p.acquire(ctx, request{units: 1000}, nil, true); err != nil {
				t.Fatal(err)
			}
			w := rec.seen[0]
			if w.Cores != tc.wantCores || len(w.Left) != 2 || w.Left[0] != tc.wantLeft[0] || w.Left[1] != tc.wantLeft[1] {
				t.Errorf("snapshot cores %v left %v; want %v, %v", w.Cores, w.Left, tc.wantCores, tc.wantLeft)
			}
			if w.PredictedLeft != tc.wantLeft[0]+tc.wantLeft[1] {
				t.Errorf("predicted left %v, want %v", w.PredictedLeft, tc.wantLeft[0]+tc.wantLeft[1])
			}
		})
	}
}

// TestCoreSpeedFromShares: a worker whose requests ran two at a time on
// one core, observed at 100 units/s per request, does 200 units/s for a
// request alone.
func TestCoreSpeedFromShares(t *testing.T) {
	ctx := context.Background()
	c := &clock{t0}
	rec := &recordPolicy{}
	p := readyPool(t, testConfig(), rec, fixedSpeeds{"a": 100}, c, "a")
	var ls []*lease
	for range 2 {
		l, err := p.acquire(ctx, request{units: 1000}, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	if got := rec.seen[0].Speed; got != 100 {
		t.Fatalf("speed before any share is known %v, want the learnt 100", got)
	}
	c.advance(10 * time.Second)
	for _, l := range ls {
		p.release(l, resultOK)
	}
	if _, err := p.acquire(ctx, request{units: 1000}, nil, true); err != nil {
		t.Fatal(err)
	}
	if got := rec.seen[0].Speed; math.Abs(got-200) > 1e-9 {
		t.Errorf("speed %v, want 200 (100 per request at half a core each)", got)
	}
	c.advance(time.Second)
	if got := p.Snapshot().Workers[0].PredictedLeft; math.Abs(got-800) > 1e-9 {
		t.Errorf("predicted left %v after 1 s alone, want 800", got)
	}
}

// driftPolicy records the completions the pool reports.
type driftPolicy struct {
	recordPolicy
	pred, observed []time.Duration
}

func (d *driftPolicy) ObserveCompletion(_ time.Time, predicted, observed time.Duration) {
	d.pred = append(d.pred, predicted)
	d.observed = append(d.observed, observed)
}

// TestCompletionsReported: answered requests report the service they
// were predicted to need (units over the speed alone) and the service
// they got under sharing; failed ones report nothing.
func TestCompletionsReported(t *testing.T) {
	ctx := context.Background()
	c := &clock{t0}
	d := &driftPolicy{}
	p := readyPool(t, testConfig(), d, fixedSpeeds{"a": 100}, c, "a")
	ok, err := p.acquire(ctx, request{units: 100}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := p.acquire(ctx, request{units: 100}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	c.advance(3 * time.Second) // two on one core: 1.5 s of service each
	p.release(ok, resultOK)
	p.release(bad, resultFailed)
	if len(d.observed) != 1 || d.pred[0] != time.Second || d.observed[0] != 1500*time.Millisecond {
		t.Errorf("reported predicted %v, observed %v; want one completion, 1s and 1.5s", d.pred, d.observed)
	}
}

// TestHeterogeneousPoolBigRendersToFastWorker: with the cost policy, a
// pool of a fast and a slow worker (learnt speeds 4:1) sends a burst of
// big renders mostly to the fast one: it takes a second render, sharing
// its core, before the slow one is worth it, and it gets more of them.
func TestHeterogeneousPoolBigRendersToFastWorker(t *testing.T) {
	ctx := context.Background()
	c := &clock{t0}
	p := readyPool(t, testConfig(), balancer.NewCost(), fixedSpeeds{"slow": 1e6, "fast": 4e6}, c, "slow", "fast")
	got := map[string]int{}
	var order []string
	for range 5 {
		l, err := p.acquire(ctx, request{units: 4e6}, nil, true) // 1 s on the fast worker, 4 s on the slow one
		if err != nil {
			t.Fatal(err)
		}
		got[l.workerID]++
		order = append(order, l.workerID)
	}
	if order[0] != "fast" || order[1] != "fast" {
		t.Errorf("first renders went to %v, want the fast worker twice", order[:2])
	}
	if got["fast"] <= got["slow"] {
		t.Errorf("renders per worker %v: the fast worker should get more", got)
	}
}
