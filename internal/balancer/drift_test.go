package balancer

import (
	"math"
	"strings"
	"testing"
	"time"
)

// step is one scripted completion: predicted and observed in ms, dt after
// the previous one.
type step struct {
	pred, obs float64
	dt        time.Duration
}

func repeat(n int, s step) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func alternate(n int, a, b step) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = a
		if i%2 == 1 {
			out[i] = b
		}
	}
	return out
}

// ramp goes from exact predictions to observed = factor × predicted and
// back, smoothly, over n steps 10 ms apart.
func ramp(n int, factor float64) []step {
	out := make([]step, n)
	for i := range out {
		x := math.Sin(math.Pi * float64(i) / float64(n-1)) // 0 → 1 → 0
		out[i] = step{100, 100 * math.Pow(factor, x), 10 * time.Millisecond}
	}
	return out
}

func run(d *Drift, t0 time.Time, steps []step) time.Time {
	now := t0
	for _, s := range steps {
		now = now.Add(s.dt)
		d.Observe(now, time.Duration(s.pred*float64(time.Millisecond)), time.Duration(s.obs*float64(time.Millisecond)))
	}
	return now
}

// TestDriftTrust drives the tracker with scripted sequences.
func TestDriftTrust(t *testing.T) {
	ms := 10 * time.Millisecond
	tests := []struct {
		name     string
		steps    []step
		min, max float64 // bounds on the final trust
	}{
		{"nothing observed", nil, 1, 1},
		{"exact predictions", repeat(200, step{100, 100, ms}), 1, 1},
		{"constant bias is not drift", repeat(200, step{100, 250, ms}), 1, 1},
		{"small scatter", alternate(200, step{100, 80, ms}, step{100, 120, ms}), 1, 1},
		{"too few to judge", alternate(driftWarmup-1, step{100, 20, ms}, step{100, 500, ms}), 1, 1},
		{"scatter of a factor 5", alternate(200, step{100, 20, ms}, step{100, 500, ms}), 0, 0},
		{"some scatter: partial trust", alternate(300, step{100, 55, ms}, step{100, 180, ms}), 0.05, 0.95},
		// The whole machine slowing down threefold over a few seconds and
		// recovering: every worker alike, the ranking still holds.
		{"a load swing shared by every worker is not drift", ramp(300, 3), 1, 1},
		// Two workers alternate; one of them got three times slower than
		// its learnt speed says.
		{"one of two workers starved threefold", alternate(300, step{100, 100, ms}, step{100, 300, ms}), 0.05, 0.95},
		{"bad values ignored", append(repeat(50, step{100, 100, ms}), repeat(50, step{0, 100, ms})...), 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDrift(DriftOptions{})
			run(d, time.Unix(1000, 0), tc.steps)
			if got := d.Trust(); got < tc.min || got > tc.max || math.IsNaN(got) {
				t.Errorf("Trust = %v, want in [%v, %v] (state %+v)", got, tc.min, tc.max, d.State())
			}
		})
	}
}

// TestDriftRecovers: a worker starved of CPU (observations scattered)
// loses the trust; once predictions match again it comes back, faster
// after a pause.
func TestDriftRecovers(t *testing.T) {
	d := NewDrift(DriftOptions{})
	now := run(d, time.Unix(0, 0), repeat(50, step{100, 100, 10 * time.Millisecond}))
	now = run(d, now, alternate(100, step{100, 30, 10 * time.Millisecond}, step{100, 400, 10 * time.Millisecond}))
	if d.Trust() != 0 {
		t.Fatalf("trust %v after scatter, want 0", d.Trust())
	}
	if st := d.State(); st.Since.IsZero() || !st.Since.After(time.Unix(0, 500*int64(time.Millisecond))) || st.Since.After(now) {
		t.Errorf("below full trust since %v, want during the scatter (after %v, by %v)", st.Since, time.Unix(0, 500*int64(time.Millisecond)), now)
	}
	// One minute quiet, then good predictions: two half-lives make the
	// first one weigh 3/4.
	after := run(d, now, []step{{100, 100, time.Minute}})
	slow := NewDrift(DriftOptions{})
	run(slow, time.Unix(0, 0), repeat(50, step{100, 100, 10 * time.Millisecond}))
	t2 := run(slow, now, alternate(100, step{100, 30, 10 * time.Millisecond}, step{100, 400, 10 * time.Millisecond}))
	run(slow, t2, []step{{100, 100, 10 * time.Millisecond}})
	if !(d.State().Error < slow.State().Error) {
		t.Errorf("error after a pause %v is not below the error without one %v", d.State().Error, slow.State().Error)
	}
	run(d, after, repeat(300, step{100, 100, 10 * time.Millisecond}))
	if d.Trust() != 1 {
		t.Errorf("trust %v after good predictions again, want 1", d.Trust())
	}
	if st := d.State(); !st.Since.IsZero() {
		t.Errorf("below full trust since %v with full trust, want zero", st.Since)
	}
}

func TestDriftOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		o    DriftOptions
		bad  []string
	}{
		{"zero is defaults", DriftOptions{}, nil},
		{"valid", DriftOptions{Alpha: 0.1, HalfLife: time.Second, Good: 0.1, Bad: 0.5}, nil},
		{"everything wrong", DriftOptions{Alpha: 2, BiasAlpha: -1, HalfLife: -1, Good: 0.9, Bad: 0.5}, []string{"drift alpha", "bias alpha", "half-life", "not below"}},
		{"NaN bound", DriftOptions{Good: math.NaN(), Bad: 1}, []string{"finite"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			if (err != nil) != (len(tc.bad) > 0) {
				t.Fatalf("Validate = %v", err)
			}
			for _, b := range tc.bad {
				if !strings.Contains(err.Error(), b) {
					t.Errorf("Validate = %v, want it to mention %q", err, b)
				}
			}
		})
	}
}

// TestCostBlendsTowardsLeastRequests: with trust gone the cost policy
// counts requests; with full trust it ranks by added latency; in between
// it mixes.
func TestCostBlendsTowardsLeastRequests(t *testing.T) {
	// "fast" (two renders in flight, speed 4) adds 40 × (9 − 4)/4 = 50 s;
	// "slow" (idle, speed 0.5) adds 80 s. Least-requests would pick slow.
	workers := []WorkerState{
		withLeft(ready("fast", 0, 0, 4), 1, 100, 100), ready("slow", 0, 0, 0.5),
	}
	req := Request{Units: 40}
	scatter := alternate(200, step{100, 20, 10 * time.Millisecond}, step{100, 500, 10 * time.Millisecond})
	partial := alternate(400, step{100, 70, 10 * time.Millisecond}, step{100, 160, 10 * time.Millisecond})
	tests := []struct {
		name      string
		steps     []step
		want      int
		wantTrust string
	}{
		{"trusted: least added latency", nil, 0, "trust 100%"},
		{"untrusted: fewest in flight", scatter, 1, "trust 0%"},
		// trust τ: fast scores τ×1 + (1−τ)×3, slow τ×80/50 + (1−τ)×1.
		{"partly trusted: mixed", partial, -1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCost()
			run(c.Drift, time.Unix(0, 0), tc.steps)
			got, err := c.Pick(req, workers, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want < 0 {
				tr := c.Drift.Trust()
				if tr <= 0 || tr >= 1 {
					t.Fatalf("trust %v, the script should give partial trust", tr)
				}
				want = 1
				if tr*1+(1-tr)*3 < tr*1.6+(1-tr)*1 {
					want = 0
				}
			}
			if got != want {
				t.Errorf("Pick = %s, want %s (trust %v)", workers[got].ID, workers[want].ID, c.Drift.Trust())
			}
			if r := c.Reason(req, workers, got); !strings.Contains(r, tc.wantTrust) {
				t.Errorf("Reason = %q, want it to say %q", r, tc.wantTrust)
			}
		})
	}
}

// TestFuzzPartialTrust: the fuzz target's half-trusting cost policy does
// exercise the blend.
func TestFuzzPartialTrust(t *testing.T) {
	d := NewDrift(DriftOptions{})
	for i := range 100 {
		d.Observe(time.Unix(int64(i), 0), 100, time.Duration(100+150*(i%2)))
	}
	if tr := d.Trust(); tr <= 0 || tr >= 1 {
		t.Errorf("trust %v, want partial", tr)
	}
}
