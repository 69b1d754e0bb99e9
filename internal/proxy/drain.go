package proxy

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
)

// Drained says what became of the compute requests that were being
// handled (queued or in flight) when Shutdown began.
type Drained struct {
	// Finished were answered as they would have been without the
	// shutdown (by a worker, or by the load balancer itself).
	Finished int `json:"finished"`
	// HandedBack were answered 503 with Retry-After because the shutdown
	// stopped waiting for them.
	HandedBack int `json:"handed_back"`
	// Cut ended without a whole answer: their clients left, or their
	// answer was interrupted.
	Cut int `json:"cut"`
	// Unfinished had not ended when Shutdown returned.
	Unfinished int `json:"unfinished"`
}

// drainCount counts how the requests that began before a shutdown end.
type drainCount struct {
	mu    sync.Mutex
	since time.Time // zero before Shutdown
	// the requests counted, by how they ended
	finished, handedBack, cut atomic.Int64
}

// begin starts counting: the requests that began at or before now are
// those Shutdown waits for.
func (d *drainCount) begin(now time.Time) {
	d.mu.Lock()
	d.since = now
	d.mu.Unlock()
}

// ended counts a request that began at start and ended with status,
// outcome and message, if the shutdown waits for it.
func (d *drainCount) ended(start time.Time, status int, outcome metrics.Outcome, msg string) {
	d.mu.Lock()
	since := d.since
	d.mu.Unlock()
	if since.IsZero() || start.After(since) {
		return
	}
	switch {
	case outcome == metrics.OutcomeCancelled:
		d.cut.Add(1)
	case status == 503 && outcome == metrics.OutcomeRejected && strings.HasPrefix(msg, ErrShuttingDown.Error()):
		d.handedBack.Add(1)
	default:
		d.finished.Add(1)
	}
}

// Handling is the number of compute requests being handled: queued or in
// flight.
func (s *Server) Handling() int { return s.active.count() }

// Drained says what became of the requests Shutdown waited for; call it
// once Shutdown has returned.
func (s *Server) Drained() Drained {
	return Drained{
		Finished:   int(s.drain.finished.Load()),
		HandedBack: int(s.drain.handedBack.Load()),
		Cut:        int(s.drain.cut.Load()),
		Unfinished: s.active.count(),
	}
}

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}
