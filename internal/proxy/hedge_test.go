package proxy

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestHedgeBudgetScript scripts the budget: it starts with its burst,
// gains its ratio per request, and reports refusals at most once per
// interval with the count since the last report.
func TestHedgeBudgetScript(t *testing.T) {
	b := newHedgeBudget(0.25, 2, 10*time.Second)
	type step struct {
		at       time.Duration // since t0
		requests int           // requests booked before the hedge asks
		ok       bool
		refused  int
		report   bool
	}
	for i, s := range []step{
		{at: 0, ok: true}, // the burst
		{at: 0, ok: true}, // the burst
		{at: time.Second, refused: 1, report: true},      // empty: the first refusal is reported at once
		{at: 2 * time.Second, requests: 3, refused: 0},   // 0.75 tokens: refused, not reported within 10 s
		{at: 3 * time.Second, requests: 1, ok: true},     // 1 token
		{at: 4 * time.Second, refused: 0},                // refused again, within 10 s
		{at: 11 * time.Second, refused: 3, report: true}, // 10 s after the report: the three since
		{at: 12 * time.Second, requests: 100, ok: true},  // a long run of requests refills the burst only
		{at: 12 * time.Second, ok: true},                 //
		{at: 12 * time.Second, refused: 0},               // within 10 s of the last report
		{at: 30 * time.Second, refused: 2, report: true}, // the one at 12 s and this one
		{at: 30 * time.Second, requests: 4, ok: true},    //
		{at: 30 * time.Second, requests: 3, refused: 0},  //
		{at: 40 * time.Second, requests: 0, refused: 2, report: true},
	} {
		for range s.requests {
			b.request()
		}
		ok, refused, report := b.take(t0.Add(s.at))
		if ok != s.ok || refused != s.refused || report != s.report {
			t.Errorf("step %d at %s: take = %v, %d, %v; want %v, %d, %v", i, s.at, ok, refused, report, s.ok, s.refused, s.report)
		}
	}
}

// TestHedgeBudgetBound: over any stretch of a random sequence of requests
// and hedges, the hedges allowed are at most ratio × requests + burst.
func TestHedgeBudgetBound(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ratio float64
		burst int
	}{
		{"5 % and 10", 0.05, 10},
		{"10 % and 2", 0.1, 2},
		{"a small burst", 0.2, 3},
		{"disabled", 0, 10},
		{"every request", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 11))
			b := newHedgeBudget(tc.ratio, tc.burst, time.Second)
			// reqs[i], hedges[i]: totals before step i.
			reqs, hedges := []int{0}, []int{0}
			asked := 0
			for i := range 3000 {
				r, h := reqs[i], hedges[i]
				if rng.IntN(3) > 0 {
					b.request()
					r++
				} else {
					asked++
					if ok, _, _ := b.take(t0.Add(time.Duration(i) * time.Millisecond)); ok {
						h++
					}
				}
				reqs, hedges = append(reqs, r), append(hedges, h)
			}
			for i := range reqs {
				for j := i + 1; j < len(reqs); j++ {
					nr, nh := reqs[j]-reqs[i], hedges[j]-hedges[i]
					if float64(nh) > tc.ratio*float64(nr)+float64(tc.burst)+1e-6 {
						t.Fatalf("steps %d to %d: %d hedges for %d requests, above %v × requests + %d", i, j, nh, nr, tc.ratio, tc.burst)
					}
				}
			}
			total, supply := hedges[len(hedges)-1], tc.ratio*float64(reqs[len(reqs)-1])
			switch {
			case tc.ratio == 0 && total != 0:
				t.Errorf("a budget of 0 allowed %d hedges", total)
			case supply < float64(asked)/2 && float64(total) < 0.9*supply:
				// Far more hedges asked for than the budget allows: it is
				// spent.
				t.Errorf("%d hedges allowed of %d asked, want about %v: the budget is not spent", total, asked, supply)
			}
		})
	}
}
