package proxy

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// A request's attempts run as a race. Each attempt is a goroutine that
// waits for its backoff (a retry), acquires a worker (possibly queueing)
// and tries it; it reports to the request's handler, which alone decides:
// the first answer wins and every other attempt is cancelled (its worker
// sees the connection close and stops); an attempt that fails outright is
// retried elsewhere unless another one is still within its deadline; an
// attempt that outlives its deadline makes its worker suspect and is
// hedged, within the hedge budget, or at once when its worker has stopped
// answering its health checks.

// attemptKind says why an attempt was sent.
type attemptKind uint8

const (
	firstAttempt attemptKind = iota
	retryAttempt             // the attempts before it ended without an answer
	hedgeAttempt             // an earlier attempt outlived its deadline and still runs
)

func (k attemptKind) String() string {
	return [...]string{"first", "retry", "hedge"}[k]
}

// Results of hedges: vfx_lb_hedges_total's result label.
const (
	hedgeSent    = "sent"
	hedgeWon     = "won"
	hedgeLost    = "lost"
	hedgeRefused = "refused"
)

// Results of an attempt: Attempt.Result.
const (
	attemptWon       = "won"
	attemptLost      = "lost"
	attemptFailed    = "failed"
	attemptCancelled = "cancelled"
)

// attempt is one sending of a request. Its fields are the handler's; the
// goroutine reads only kind, retry and ctx.
type attempt struct {
	kind   attemptKind
	retry  int      // a retry's number among the request's retries (backoff)
	of     *attempt // a hedge's overdue attempt
	ctx    context.Context
	cancel context.CancelFunc

	lease    *lease    // once it has a worker
	deadline time.Time // zero: none of its own
	overdue  bool      // its deadline passed
	ended    bool
	info     *Attempt // its entry in the decision, once it has a worker
}

// eventKind is what an attempt reports.
type eventKind uint8

const (
	evStarted eventKind = iota // it has a worker (lease)
	evDone                     // it ended: an answer (resp, head), a failure (f) or no worker (err)
	evStalled                  // its worker stopped answering its health checks
)

type attemptEvent struct {
	a     *attempt
	kind  eventKind
	lease *lease
	resp  *http.Response
	head  responseHead
	f     *failure
	err   error
}

// race is one request's attempts.
type race struct {
	s      *Server
	ctx    context.Context // the request's
	r      *http.Request
	x      *exchange
	limit  int // attempts that may be sent: 1 + MaxRetries
	events chan attemptEvent
	over   chan struct{} // closed once settled: watchers return
	wg     sync.WaitGroup
	// numbered counts the attempts that got a worker; each takes the next
	// number in its own goroutine.
	numbered atomic.Int32

	all        []*attempt
	failed     map[string]bool // workers the request failed on
	retries    int
	winner     *attempt
	lastErr    string
	lastStatus int
	settled    bool
}

func newRace(ctx context.Context, s *Server, r *http.Request, x *exchange) *race {
	limit := 1 + s.cfg.MaxRetries
	return &race{
		s: s, ctx: ctx, r: r, x: x, limit: limit,
		// An attempt reports at most three events: never blocks.
		events: make(chan attemptEvent, 3*limit),
		over:   make(chan struct{}),
		failed: map[string]bool{},
	}
}

// launch starts an attempt of kind; of is a hedge's overdue attempt.
func (rc *race) launch(kind attemptKind, of *attempt) {
	a := &attempt{kind: kind, of: of}
	a.ctx, a.cancel = context.WithCancel(rc.ctx)
	if kind == retryAttempt {
		rc.retries++
		a.retry = rc.retries
	}
	rc.all = append(rc.all, a)
	req := request{id: rc.x.id, kind: rc.x.kind, units: rc.x.units * rc.x.weight, hedge: kind == hedgeAttempt}
	exclude := rc.excluded()
	rc.wg.Go(func() { rc.run(a, req, exclude) })
}

// run is an attempt's goroutine.
func (rc *race) run(a *attempt, req request, exclude map[string]bool) {
	if a.retry > 0 && !rc.s.backoff(a.ctx, a.retry) {
		rc.events <- attemptEvent{a: a, kind: evDone, err: a.ctx.Err()}
		return
	}
	l, err := rc.s.pool.acquire(a.ctx, req, exclude, a.kind == firstAttempt)
	if err != nil {
		rc.events <- attemptEvent{a: a, kind: evDone, err: err}
		return
	}
	// Numbered here, before it is sent: the worker records the attempt
	// under this number (X-Attempt).
	l.attempt = int(rc.numbered.Add(1))
	rc.events <- attemptEvent{a: a, kind: evStarted, lease: l}
	resp, head, f := rc.s.try(a.ctx, rc.r, rc.x, l)
	rc.events <- attemptEvent{a: a, kind: evDone, lease: l, resp: resp, head: head, f: f}
}

// excluded is the workers a new attempt must avoid: those the request
// failed on and those it runs on.
func (rc *race) excluded() map[string]bool {
	ex := make(map[string]bool, len(rc.failed)+len(rc.all))
	for id := range rc.failed {
		ex[id] = true
	}
	for _, a := range rc.all {
		if a.lease != nil && !a.ended {
			ex[a.lease.workerID] = true
		}
	}
	return ex
}

// started books that a got a worker: its number, its deadline, its entry
// in the decision.
func (rc *race) started(a *attempt, l *lease) {
	s, x := rc.s, rc.x
	now := s.now()
	a.lease = l
	x.attempts = max(x.attempts, l.attempt)
	x.queued += l.queued
	if l.queued > 0 {
		s.metrics.queueWait.Observe(l.queued.Seconds())
	}
	a.info = &Attempt{Attempt: l.attempt, Worker: l.workerID, Kind: a.kind.String(),
		StartMs: ms(now.Sub(x.start)), QueuedMs: ms(l.queued)}
	if a.of != nil && a.of.info != nil {
		a.info.HedgeOf = a.of.info.Attempt
	}
	reqDeadline, _ := rc.ctx.Deadline()
	if !rc.settled {
		// The request's worker so far, for an answer of the load
		// balancer's own; the winner's once there is one.
		x.worker, x.reason = l.workerID, l.reason
		if d, ok := s.attempts.deadline(now, x.units*x.weight, s.pool.speed(l.workerID), reqDeadline); ok {
			a.deadline = d
			a.info.TimeoutMs = ms(d.Sub(now))
		}
	}
	x.tries = append(x.tries, a.info)
	if s.debugging() {
		s.log.Debug("route", "request_id", x.id, "workload", x.kind, "predicted_units", x.units,
			"source", x.source, "worker", l.workerID, "attempt", l.attempt, "kind", a.kind,
			"hedge_of", a.info.HedgeOf, "timeout_ms", a.info.TimeoutMs, "reason", l.reason)
	}
}

// pending reports whether an attempt has not ended (left); within,
// whether one of them has not outlived its deadline.
func (rc *race) pending() (left, within bool) {
	for _, a := range rc.all {
		if !a.ended {
			left = true
			within = within || !a.overdue
		}
	}
	return left, within
}

// nextDeadline is the earliest deadline of the attempts running and not
// yet overdue; zero when there is none.
func (rc *race) nextDeadline() time.Time {
	var next time.Time
	for _, a := range rc.all {
		if !a.ended && !a.overdue && !a.deadline.IsZero() && (next.IsZero() || a.deadline.Before(next)) {
			next = a.deadline
		}
	}
	return next
}

// checkDeadlines deals with every attempt whose deadline passed by now:
// its worker becomes suspect, and the request is hedged.
func (rc *race) checkDeadlines(now time.Time) {
	for _, a := range rc.all {
		if a.ended || a.overdue || a.deadline.IsZero() || a.deadline.After(now) {
			continue
		}
		a.overdue = true
		a.info.Overdue = true
		unresponsive, stalled := rc.s.pool.overdue(a.lease, rc.x.id)
		switch {
		case len(rc.all) >= rc.limit:
			rc.s.log.Debug("attempt deadline passed, no attempt left to hedge it", "request_id", rc.x.id,
				"worker", a.lease.workerID, "attempt", a.info.Attempt, "timeout_ms", a.info.TimeoutMs)
		case unresponsive:
			rc.hedge(a, "worker stopped answering its health checks")
		default:
			rc.hedgeWithinBudget(a, now, stalled)
		}
	}
}

// hedgeWithinBudget hedges overdue attempt a if the budget allows;
// otherwise a is hedged only if its worker stops answering its health
// checks (stalled closes).
func (rc *race) hedgeWithinBudget(a *attempt, now time.Time, stalled <-chan struct{}) {
	s := rc.s
	ok, refused, report := s.hedging.take(now)
	if ok {
		rc.hedge(a, "attempt deadline passed")
		return
	}
	s.metrics.hedges.WithLabelValues(hedgeRefused).Inc()
	if report {
		s.log.Info("hedges refused by the hedge budget", "refused", refused, "request_id", rc.x.id,
			"worker", a.lease.workerID, "attempt", a.info.Attempt, "hedge_budget", s.cfg.HedgeBudget, "hedge_burst", s.cfg.HedgeBurst)
	}
	rc.wg.Go(func() {
		select {
		case <-stalled:
			rc.events <- attemptEvent{a: a, kind: evStalled}
		case <-a.ctx.Done():
		case <-rc.over:
		}
	})
}

// hedge sends the request to another worker while overdue attempt a runs
// on.
func (rc *race) hedge(a *attempt, why string) {
	rc.s.metrics.hedges.WithLabelValues(hedgeSent).Inc()
	rc.x.hedges++
	rc.s.log.Info("hedge sent", "request_id", rc.x.id, "worker", a.lease.workerID, "attempt", a.info.Attempt,
		"timeout_ms", a.info.TimeoutMs, "hedges", rc.x.hedges, "reason", why)
	rc.launch(hedgeAttempt, a)
}

// stalled deals with a worker that stopped answering while an overdue
// attempt whose hedge the budget refused runs on it.
func (rc *race) stalled(a *attempt) {
	if !a.ended && len(rc.all) < rc.limit {
		rc.hedge(a, "worker stopped answering its health checks")
	}
}

// noWorker books an attempt that got no worker (queue full or timed
// out). It returns false when nothing else is left running.
func (rc *race) noWorker(ev attemptEvent) bool {
	ev.a.ended = true
	ev.a.cancel()
	if left, _ := rc.pending(); left {
		rc.s.log.Debug("attempt got no worker", "request_id", rc.x.id, "kind", ev.a.kind, "err", ev.err)
		return true
	}
	return false
}

// failedAttempt books an attempt that failed outright and sends a retry
// when no other attempt may still answer in time. It returns false when
// nothing is left running or to try.
func (rc *race) failedAttempt(ev attemptEvent) bool {
	a, s, f := ev.a, rc.s, ev.f
	a.ended = true
	a.cancel()
	s.pool.release(ev.lease, f.result)
	rc.failed[ev.lease.workerID] = true
	rc.lastErr, rc.lastStatus = f.msg, f.status
	a.info.Result, a.info.Error = attemptFailed, f.msg
	left, within := rc.pending()
	next := "wait"
	switch {
	case within:
	case len(rc.all) < rc.limit:
		next = "retry"
	case !left:
		next = "none"
	}
	s.log.Info("attempt failed", "request_id", rc.x.id, "worker", ev.lease.workerID, "attempt", a.info.Attempt,
		"reason", f.reason, "status", f.status, "err", f.msg, "next", next)
	if next == "retry" {
		s.metrics.retries.WithLabelValues(f.reason).Inc()
		rc.launch(retryAttempt, nil)
	}
	return next != "none"
}

// won makes a the winner.
func (rc *race) won(a *attempt, l *lease) {
	a.ended = true
	rc.winner = a
	a.info.Result = attemptWon
	rc.x.worker, rc.x.reason = l.workerID, l.reason
	if rc.s.debugging() {
		rc.s.log.Debug("attempt won", "request_id", rc.x.id, "worker", l.workerID, "attempt", a.info.Attempt,
			"kind", a.kind, "hedged", rc.x.hedges > 0, "attempts", rc.x.attempts)
	}
}

// settle ends the race: every attempt but the winner is cancelled and
// waited for, its worker released, and the hedges booked. It runs before
// the request is answered, so that the decision shows every attempt, and
// once more (a no-op) when the handler returns.
func (rc *race) settle() {
	if rc.settled {
		return
	}
	rc.settled = true
	close(rc.over)
	for _, a := range rc.all {
		if a != rc.winner {
			a.cancel()
		}
	}
	rc.wg.Wait()
	for drained := false; !drained; {
		select {
		case ev := <-rc.events:
			rc.late(ev)
		default:
			drained = true
		}
	}
	for _, a := range rc.all {
		if a.info != nil && a.info.Result == "" {
			a.info.Result = attemptCancelled
			if rc.winner != nil {
				a.info.Result = attemptLost
			}
		}
		if a.kind == hedgeAttempt {
			res := hedgeLost
			if a == rc.winner {
				res = hedgeWon
			}
			rc.s.metrics.hedges.WithLabelValues(res).Inc()
		}
	}
}

// late books an event that arrived once the race was decided.
func (rc *race) late(ev attemptEvent) {
	switch ev.kind {
	case evStarted:
		rc.started(ev.a, ev.lease)
	case evDone:
		ev.a.ended = true
		switch {
		case ev.lease == nil:
		case ev.f == nil: // it answered too, after the winner
			ev.resp.Body.Close()
			ev.head.hold.Release()
			rc.s.pool.release(ev.lease, resultOK)
		default:
			rc.s.pool.release(ev.lease, resultCancelled)
		}
	}
}

// close cancels the winner's attempt once its answer was relayed.
func (rc *race) close() {
	rc.settle()
	if rc.winner != nil {
		rc.winner.cancel()
	}
}
