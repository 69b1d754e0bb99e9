package proxy

import (
	"container/list"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// Errors of acquiring a worker; the handler maps them to 503 + Retry-After.
var (
	ErrQueueFull    = errors.New("every worker is busy and the queue is full")
	ErrQueueTimeout = errors.New("no worker became free within the queue timeout")
	ErrShuttingDown = errors.New("the load balancer is shutting down")
)

// lease is the right to send one request to one worker; it must be released
// exactly once.
type lease struct {
	w        *member
	workerID string
	addr     string
	flightID uint64
	reason   string
	queued   time.Duration
	attempt  int // the number of the attempt it serves (X-Attempt), set when the attempt gets its worker
}

// result is how a forwarded attempt ended, for the worker's bookkeeping.
type result int

const (
	resultOK        result = iota // the worker answered
	resultFailed                  // connection refused/reset, EOF, 502: counts towards ejection
	resultBusy                    // 503: the worker is full or draining, not a failure
	resultCancelled               // the client went away or the deadline passed
)

// waiter is a request waiting in the queue.
type waiter struct {
	req      request
	exclude  map[string]bool
	done     chan *lease // buffered; nil lease = pool closed
	enqueued time.Time
	elem     *list.Element
}

// waitQueue holds the waiters in arrival order with the sum of their
// predicted units; order (below) is the order they get workers in.
type waitQueue struct {
	l     list.List
	units float64
	spf   []*waiter // scratch of order
}

func (q *waitQueue) len() int { return q.l.Len() }

func (q *waitQueue) push(w *waiter) {
	w.elem = q.l.PushBack(w)
	q.units += w.req.units
}

func (q *waitQueue) remove(w *waiter) {
	if w.elem == nil {
		return
	}
	q.l.Remove(w.elem)
	w.elem = nil
	q.units -= w.req.units
	if q.l.Len() == 0 {
		q.units = 0 // no drift
	}
}

// acquire picks a worker for req, waiting in the queue when none can take
// it, until a worker frees up, ctx ends or the queue timeout passes.
// Workers in exclude (those that already failed this request) are avoided
// while another live worker exists. first marks a request's first attempt,
// which counts as an arrival.
func (p *Pool) acquire(ctx context.Context, req request, exclude map[string]bool, first bool) (*lease, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrShuttingDown
	}
	now := p.now()
	if first {
		p.arrivals.add(now, req.units)
	}
	if p.queue.len() == 0 {
		if l := p.tryPickLocked(req, exclude, now); l != nil {
			p.mu.Unlock()
			return l, nil
		}
	}
	if p.queue.len() >= p.cfg.QueueLen {
		p.mu.Unlock()
		return nil, ErrQueueFull
	}
	wt := &waiter{req: req, exclude: exclude, done: make(chan *lease, 1), enqueued: now}
	p.queue.push(wt)
	p.dispatchLocked()
	p.mu.Unlock()

	timer := time.NewTimer(p.cfg.QueueTimeout)
	defer timer.Stop()
	var err error
	select {
	case l := <-wt.done:
		if l == nil {
			return nil, ErrShuttingDown
		}
		return l, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = ErrQueueTimeout
	}
	p.mu.Lock()
	if wt.elem != nil {
		p.queue.remove(wt)
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Unlock()
	// Dispatched (or closed) at the same moment: hand the lease back.
	if l := <-wt.done; l != nil {
		p.release(l, resultCancelled)
	}
	return nil, err
}

// tryPickLocked asks the policy for a worker and, if one can take req,
// books the request on it.
func (p *Pool) tryPickLocked(req request, exclude map[string]bool, now time.Time) *lease {
	states := p.scratch[:0]
	p.left = p.left[:0]
	live := false // a live worker this request has not failed on
	for _, w := range p.workers {
		ex := exclude[w.id]
		start := len(p.left)
		left := p.predictedLeftLocked(w, now, &p.left)
		states = append(states, balancer.WorkerState{
			ID:            w.id,
			Ready:         w.state == lifecycle.Ready && !ex,
			InFlight:      len(w.flights),
			MaxInFlight:   p.maxInFlightLocked(w),
			PredictedLeft: left,
			Speed:         p.coreSpeedLocked(w),
			Cores:         w.cores,
			Left:          p.left[start:len(p.left):len(p.left)],
			CPUPercent:    w.cpu,
		})
		if !ex && (w.state == lifecycle.Ready || w.state == lifecycle.Booting) {
			live = true
		}
	}
	p.scratch = states
	if len(exclude) > 0 && !live && !req.hedge {
		// Every live worker already failed this request: try them again
		// rather than wait for one that may never come.
		for i, w := range p.workers {
			states[i].Ready = w.state == lifecycle.Ready
		}
	}
	breq := balancer.Request{Kind: req.kind, Units: req.units}
	idx, err := p.policy.Pick(breq, states, p.rng)
	if err != nil {
		if !errors.Is(err, balancer.ErrNoWorker) {
			p.log.Warn("policy failed", "request_id", req.id, "err", err)
		}
		return nil
	}
	if idx < 0 || idx >= len(p.workers) || !states[idx].Ready {
		p.log.Error("policy picked an ineligible worker", "request_id", req.id, "index", idx)
		return nil
	}
	w := p.workers[idx]
	// The service (core-seconds) the request is predicted to need, for
	// the policy's drift tracking.
	var pred time.Duration
	if sp := states[idx].Speed; sp > 0 && req.units > 0 {
		pred = time.Duration(min(req.units/sp, 1e6) * float64(time.Second))
	}
	w.advanceLocked(now)
	p.nextID++
	w.flights[p.nextID] = flight{units: req.units, start: now, svc: w.svc, pred: pred}
	return &lease{
		w: w, workerID: w.id, addr: w.addr, flightID: p.nextID,
		reason: balancer.Explain(p.policy, breq, states, idx),
	}
}

// order returns the waiters in the order they get workers: stably sorted
// by balancer.QueueOrder.Compare (for fifo: oldest first; for spf: those
// that have waited aging or longer first, oldest first, then the others by
// predicted units, smallest first, ties oldest first). The slice is
// scratch, valid until the next call.
func (q *waitQueue) order(spf bool, aging time.Duration, now time.Time) []*waiter {
	out := q.spf[:0]
	for e := q.l.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*waiter))
	}
	q.spf = out
	ord := balancer.QueueFIFO
	if spf {
		ord = balancer.QueueSPF
	}
	slices.SortStableFunc(out, func(a, b *waiter) int {
		return ord.Compare(a.waiting(), b.waiting(), aging, now)
	})
	return out
}

func (w *waiter) waiting() balancer.Waiting {
	return balancer.Waiting{Enqueued: w.enqueued, Units: w.req.units}
}

// dispatchLocked hands queued requests, in the queue's order, to workers
// that can take them.
func (p *Pool) dispatchLocked() {
	if p.queue.len() == 0 {
		return
	}
	now := p.now()
	for _, wt := range p.queue.order(p.cfg.QueueOrder != QueueFIFO, p.cfg.QueueAging, now) {
		if l := p.tryPickLocked(wt.req, wt.exclude, now); l != nil {
			l.queued = now.Sub(wt.enqueued)
			p.queue.remove(wt)
			wt.done <- l
		} else if len(wt.exclude) == 0 {
			// No worker can take a request that may go anywhere: none can
			// take the ones behind it either.
			break
		}
	}
	clear(p.queue.spf)
}

// release ends a lease and books how the attempt went.
func (p *Pool) release(l *lease, r result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := l.w
	now := p.now()
	w.advanceLocked(now)
	f, ok := w.flights[l.flightID]
	delete(w.flights, l.flightID)
	switch r {
	case resultOK:
		if ok {
			w.observeShareLocked(w.svc-f.svc, f.start, now)
			if o, isObs := p.policy.(balancer.CompletionObserver); isObs && f.pred > 0 {
				got := time.Duration(min(w.svc-f.svc, 1e6) * float64(time.Second))
				o.ObserveCompletion(now, f.pred, got)
			}
		}
		w.consecFail = 0
		w.served++
		if w.suspect {
			p.setStateLocked(w, lifecycle.Ready, "answered again")
		}
	case resultFailed:
		w.failed++
		w.consecFail++
		if w.consecFail >= p.cfg.EjectAfter && (w.state == lifecycle.Ready || w.state == lifecycle.Booting) {
			w.healthOK = 0
			p.setStateLocked(w, lifecycle.Unhealthy, "consecutive forwarding failures")
		}
	}
	if len(w.flights) == 0 && w.idle != nil {
		close(w.idle)
		w.idle = nil
	}
	p.dispatchLocked()
}

// Close fails every queued request with ErrShuttingDown and refuses new
// ones.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for p.queue.len() > 0 {
		wt := p.queue.l.Front().Value.(*waiter)
		p.queue.remove(wt)
		wt.done <- nil
	}
}

// ArrivalWindow is the window of QueueInfo.ArrivalRate.
const ArrivalWindow = 10 * time.Second

const arrivalSlots = 64 // one per second, more than ArrivalWindow

// arrivals counts requests and their predicted units as they arrive.
type arrivals struct {
	total      int64
	totalUnits float64
	units      [arrivalSlots]float64
	second     [arrivalSlots]int64
}

func newArrivals(time.Time) arrivals { return arrivals{} }

func (a *arrivals) add(now time.Time, units float64) {
	sec := now.Unix()
	i := int(uint64(sec) % arrivalSlots)
	if a.second[i] != sec {
		a.second[i], a.units[i] = sec, 0
	}
	a.units[i] += units
	a.total++
	a.totalUnits += units
}

// rate is the predicted units per second that arrived over the last
// ArrivalWindow.
func (a *arrivals) rate(now time.Time) float64 {
	sec := now.Unix()
	w := int64(ArrivalWindow / time.Second)
	var sum float64
	for i := range a.units {
		if s := a.second[i]; s > sec-w && s <= sec {
			sum += a.units[i]
		}
	}
	return sum / float64(w)
}
