package proxy

import (
	"sync"
	"time"
)

// hedgeBudget bounds hedges to a share of the requests: a token bucket
// that gains ratio of a token per request, holds at most burst tokens (at
// least one), starts full, and spends one token per hedge. Over any
// stretch of time, hedges ≤ ratio × requests + burst, so a pool that is
// slower than predicted everywhere (every attempt outliving its deadline)
// gets at most that share of extra work. A ratio of 0 refuses every hedge.
// It is pure: time is an argument, used only to report refusals once per
// interval.
type hedgeBudget struct {
	ratio, burst, tokens float64

	every    time.Duration // between two reports of refusals
	reported time.Time     // last report; zero: none yet
	pending  int           // refusals since the last report
}

func newHedgeBudget(ratio float64, burst int, every time.Duration) hedgeBudget {
	b := float64(max(burst, 1))
	return hedgeBudget{ratio: ratio, burst: b, tokens: b, every: every}
}

// request books a request that may be hedged.
func (b *hedgeBudget) request() {
	b.tokens = min(b.tokens+b.ratio, b.burst)
}

// take spends a token for a hedge at now. When the budget refuses, report
// says whether to log the refusals now, and refused how many there were
// since the last report (this one included).
func (b *hedgeBudget) take(now time.Time) (ok bool, refused int, report bool) {
	// A token is 1 up to rounding: ratio 0.05 adds up to 0.9999… after 20
	// requests.
	if b.ratio > 0 && b.tokens >= 1-1e-9 {
		b.tokens = max(b.tokens-1, 0)
		return true, 0, false
	}
	b.pending++
	if !b.reported.IsZero() && now.Sub(b.reported) < b.every {
		return false, 0, false
	}
	refused, b.pending, b.reported = b.pending, 0, now
	return false, refused, true
}

// hedgeRefusalLogInterval is how often refused hedges are logged, at most.
const hedgeRefusalLogInterval = 10 * time.Second

// hedging is the load balancer's budget, safe for concurrent use.
type hedging struct {
	mu     sync.Mutex
	budget hedgeBudget
}

func (h *hedging) request() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.budget.request()
}

func (h *hedging) take(now time.Time) (ok bool, refused int, report bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.budget.take(now)
}
