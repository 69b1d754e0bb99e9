package proxy

import (
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// Decision is one routed request as /api/v1/state shows it.
type Decision struct {
	Time            time.Time     `json:"time"`
	RequestID       string        `json:"request_id"`
	ClientRequestID string        `json:"client_request_id,omitempty"`
	Workload        workload.Kind `json:"workload"`
	PredictedUnits  float64       `json:"predicted_units"`
	Source          string        `json:"prediction_source,omitempty"`
	ActualUnits     int64         `json:"actual_units,omitempty"`
	Worker          string        `json:"worker,omitempty"`
	Reason          string        `json:"reason,omitempty"`
	Attempts        int           `json:"attempts"`
	Outcome         string        `json:"outcome"`
	Status          int           `json:"status"`
	QueuedMs        float64       `json:"queued_ms"`
	LatencyMs       float64       `json:"latency_ms"`
	Error           string        `json:"error,omitempty"`

	// Hedged says whether the request was also sent to another worker
	// because an attempt outlived its deadline; Hedges counts those sends.
	// Attempts above counts the attempts that reached a worker, hedges
	// included, and Tries lists them in that order.
	Hedged bool      `json:"hedged"`
	Hedges int       `json:"hedges,omitempty"`
	Tries  []Attempt `json:"tries,omitempty"`
}

// Attempt is one sending of a request to a worker, in a Decision.
type Attempt struct {
	Attempt int    `json:"attempt"` // 1 for the first
	Worker  string `json:"worker"`
	// Kind is first, retry (the previous attempt failed) or hedge (an
	// earlier attempt, HedgeOf, outlived its deadline and still ran).
	Kind    string  `json:"kind"`
	HedgeOf int     `json:"hedge_of,omitempty"`
	StartMs float64 `json:"start_ms"` // since the request arrived
	// QueuedMs is how long it waited in the queue for its worker.
	QueuedMs float64 `json:"queued_ms,omitempty"`
	// TimeoutMs is the attempt's deadline from its start; 0 when the
	// request's own deadline came first. Overdue: it outlived it.
	TimeoutMs float64 `json:"timeout_ms,omitempty"`
	Overdue   bool    `json:"overdue,omitempty"`
	// Result is won (its answer was relayed), lost (cancelled: another
	// attempt answered first), failed or cancelled (the request ended).
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
}

// decisionLog keeps the last n decisions.
type decisionLog struct {
	mu   sync.Mutex
	buf  []Decision
	next int
	full bool
}

func newDecisionLog(n int) *decisionLog { return &decisionLog{buf: make([]Decision, n)} }

func (l *decisionLog) add(d Decision) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf[l.next] = d
	l.next++
	if l.next == len(l.buf) {
		l.next, l.full = 0, true
	}
}

// recent returns the decisions, newest first.
func (l *decisionLog) recent() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.next
	if l.full {
		n = len(l.buf)
	}
	out := make([]Decision, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, l.buf[(l.next-i+len(l.buf))%len(l.buf)])
	}
	return out
}
