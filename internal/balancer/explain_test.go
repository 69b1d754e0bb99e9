package balancer

import (
	"math"
	"math/rand/v2"
	"testing"
)

type noReason struct{}

func (noReason) Pick(Request, []WorkerState, *rand.Rand) (int, error) { return 0, nil }

func TestExplain(t *testing.T) {
	// Finish times by backlog: w1 (1.4+1)/2 = 1.20 s; w2 (0.68+1)/2 =
	// 0.84 s; w3 draining. Under processor sharing w2 finishes the request
	// in (2×0.68 + 0.32)/2 = 0.84 s and adds (3×0.68 + 0.32)/2 = 1.18 s;
	// w1 adds (5×0.7 + 0.3)/2 = 1.90 s.
	ws := []WorkerState{
		withCPU(ready("w1", 2, 1.4, 2), 30),
		withCPU(ready("w2", 1, 0.68, 2), 12),
		notReady(withCPU(ready("w3", 0, 0, 100), 1)),
	}
	req := Request{Kind: "raytracer", Units: 1}
	rr := &RoundRobin{}
	tests := []struct {
		name string
		p    Policy
		ws   []WorkerState
		idx  int
		want string
	}{
		{"cost", Cost{}, ws, 1, "cost: w2 adds 1.18s (finishes in 0.84s) vs next best w1 1.90s, trust 100%"},
		{"cost only eligible", Cost{}, ws[1:], 0, "cost: w2 adds 1.18s (finishes in 0.84s; the only eligible worker), trust 100%"},
		{"least-requests", LeastRequests{}, ws, 1, "least-requests: w2 has 1 in flight vs next best w1 with 2"},
		{"round-robin", rr, ws, 0, "round-robin: w1 is next in turn (2 of 3 eligible)"},
		{"p2c best", P2C{}, ws, 1, "p2c: w2 finishes in 0.84s, better of two random choices (also best of all)"},
		{"p2c not best", P2C{}, ws, 0, "p2c: w1 finishes in 1.20s, better of two random choices (best of all w2 0.84s)"},
		{"cpu", CPU{}, ws, 1, "cpu: w2 at 12% CPU vs next best w1 at 30%"},
		{"cpu unknown", CPU{}, []WorkerState{ready("a", 0, 0, 1)}, 0, "cpu: a at unknown CPU (the only eligible worker)"},
		{"no pick", Cost{}, ws, -1, "cost: no worker picked"},
		{"generic", noReason{}, ws, 1, "picked w2 (1 in flight, finishes in 0.84s)"},
		{"generic no pick", noReason{}, ws, 7, "no worker picked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Explain(tc.p, req, tc.ws, tc.idx); got != tc.want {
				t.Errorf("Explain = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

func TestSeconds(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.00s"}, {math.Inf(1), "never"}, {0.0012, "0.0012s"}, {0.84, "0.84s"}, {12.34, "12.3s"}, {1520.4, "1520s"},
	}
	for _, tc := range tests {
		if got := seconds(tc.in); got != tc.want {
			t.Errorf("seconds(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
