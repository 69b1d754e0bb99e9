package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Recorder writes records to a Store asynchronously, in batches, so that no
// request waits for the store. Its methods never block on the store: a
// record goes into a bounded in-memory queue, and one goroutine writes the
// queue out whenever a kind of record reaches BatchSize, every
// FlushInterval, and on Close.
//
// A write that fails (the store is locked, busy, full or unreachable)
// leaves its records at the head of the queue, and the writer tries again
// after a backoff that doubles up to MaxBackoff, for as long as it takes:
// a record the queue accepted is never given up while the process runs.
// Re-sending a batch whose first write failed ambiguously creates no
// duplicates, since stores are idempotent on a record's identity.
//
// Records are dropped only in these cases, each counted by kind and reason
// (Drops) and logged at most once per LogInterval with the numbers since
// the last line (and at Close, whatever is left):
//   - the queue already holds QueueLen records: the new record is dropped
//     (DropQueueFull);
//   - the record fails validation (after a too-long Error or Reason has
//     been truncated to MaxTextLen), the Recorder's or the store's
//     (DropInvalid);
//   - the record arrives after Close began (DropAfterClose);
//   - Close's context ends while the store still fails, or the store was
//     closed first: the records still queued are dropped (DropUnwritten)
//     and Close's error says how many.
//
// A clean shutdown (Close with a context that lasts long enough) writes
// every record accepted before Close.
type Recorder struct {
	store Store
	o     RecorderOptions
	log   *slog.Logger

	mu        sync.Mutex
	reqs      queue[RequestRecord]
	samples   queue[WorkerSample]
	decisions queue[Decision]
	held      int  // records queued or being written
	closed    bool // Close has begun; no more records are accepted

	kick    chan struct{} // a kind reached BatchSize
	closing chan struct{} // closed by Close
	done    chan struct{} // closed when the writer goroutine ends

	// ctx bounds every store call; Close cancels it when its own context
	// ends before the queue is written.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	closeErr  error

	written, writeErrors atomic.Int64
	drops                *dropCounts
	failing              storeFailure // touched by the writer goroutine only
}

// RecorderStats counts what happened to the records given to a Recorder.
type RecorderStats struct {
	Written     int64 // accepted by the store
	Queued      int   // waiting or being written now
	WriteErrors int64 // store calls that failed (their records stayed queued)
	// Dropped records, by reason (see DropReason).
	Full       int64
	Invalid    int64
	AfterClose int64
	Unwritten  int64
}

// Dropped is the number of records dropped for any reason.
func (s RecorderStats) Dropped() int64 { return s.Full + s.Invalid + s.AfterClose + s.Unwritten }

// NewRecorder starts a Recorder writing to s. The Recorder does not own s:
// close the Recorder first, then the store. A nil log discards log lines.
func NewRecorder(s Store, o RecorderOptions, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o = o.withDefaults()
	// The recorder's writes outlive any one caller's context; their lifetime
	// ends with Close, which cancels this context if its own ends first.
	ctx, cancel := context.WithCancel(context.Background())
	r := &Recorder{
		store:   s,
		o:       o,
		log:     log,
		kick:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
		drops:   newDropCounts(log, o.LogInterval),
	}
	tick := o.Tick
	var ticker *time.Ticker
	if tick == nil {
		ticker = time.NewTicker(o.FlushInterval)
		tick = ticker.C
	}
	go r.run(tick, ticker)
	return r
}

// Request queues a request record. It never blocks on the store.
func (r *Recorder) Request(rec RequestRecord) {
	rec.Error = truncateText(rec.Error)
	if err := rec.Validate(); err != nil {
		r.drops.add(KindRequest, DropInvalid, 1, err)
		return
	}
	enqueue(r, &r.reqs, KindRequest, rec)
}

// WorkerSample queues a worker sample. It never blocks on the store.
func (r *Recorder) WorkerSample(s WorkerSample) {
	if err := s.Validate(); err != nil {
		r.drops.add(KindWorkerSample, DropInvalid, 1, err)
		return
	}
	enqueue(r, &r.samples, KindWorkerSample, s)
}

// Decision queues an autoscaling decision. It never blocks on the store.
func (r *Recorder) Decision(d Decision) {
	d.Reason = truncateText(d.Reason)
	if err := d.Validate(); err != nil {
		r.drops.add(KindDecision, DropInvalid, 1, err)
		return
	}
	enqueue(r, &r.decisions, KindDecision, d)
}

func enqueue[T any](r *Recorder, q *queue[T], kind RecordKind, v T) {
	r.mu.Lock()
	switch {
	case r.closed:
		r.mu.Unlock()
		r.drops.add(kind, DropAfterClose, 1, nil)
		return
	case r.held >= r.o.QueueLen:
		r.mu.Unlock()
		r.drops.add(kind, DropQueueFull, 1, nil)
		return
	}
	q.items = append(q.items, v)
	r.held++
	kick := len(q.items) >= r.o.BatchSize
	r.mu.Unlock()
	if kick {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// Dropped is the number of records dropped for any reason (see Stats).
func (r *Recorder) Dropped() int64 { return r.drops.total() }

// Drops reports how many records of each kind were dropped for each
// reason, zeros included, in the order of RecordKinds and DropReasons.
func (r *Recorder) Drops() []Drop { return r.drops.all() }

// Stats reports what happened to the records given to r so far.
func (r *Recorder) Stats() RecorderStats {
	r.mu.Lock()
	held := r.held
	r.mu.Unlock()
	return RecorderStats{
		Written:     r.written.Load(),
		Queued:      held,
		WriteErrors: r.writeErrors.Load(),
		Full:        r.drops.byReason(DropQueueFull),
		Invalid:     r.drops.byReason(DropInvalid),
		AfterClose:  r.drops.byReason(DropAfterClose),
		Unwritten:   r.drops.byReason(DropUnwritten),
	}
}

// Close stops accepting records and writes every queued one, retrying
// while the store fails, until the queue is empty or ctx ends. Then it
// stops the writer. If ctx ends first, the store call under way is
// abandoned, the records still queued are dropped (DropUnwritten) and
// Close returns an error wrapping ctx's that says how many records could
// not be written and why. Close is idempotent: later calls return the
// first call's result.
func (r *Recorder) Close(ctx context.Context) error {
	r.closeOnce.Do(func() { r.closeErr = r.close(ctx) })
	return r.closeErr
}

func (r *Recorder) close(ctx context.Context) error {
	before := r.drops.byReason(DropUnwritten)
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	close(r.closing)
	var err error
	select {
	case <-r.done:
	case <-ctx.Done():
		r.cancel()
		<-r.done
		err = fmt.Errorf("close metrics recorder: %w", ctx.Err())
	}
	r.cancel()
	r.drops.logPending()
	if n := r.drops.byReason(DropUnwritten) - before; n > 0 {
		cause := "the store was closed"
		if last := r.failing.lastErr; last != nil {
			cause = "last store error: " + last.Error()
		}
		err = errors.Join(err, fmt.Errorf("close metrics recorder: %d records could not be written (%s)", n, cause))
	}
	return err
}

// run is the writer goroutine: it writes the queue when a kind fills a
// batch and on every tick, waits out a backoff while the store fails, and
// on Close writes what is left.
func (r *Recorder) run(tick <-chan time.Time, ticker *time.Ticker) {
	defer close(r.done)
	if ticker != nil {
		defer ticker.Stop()
	}
	var retry <-chan time.Time // set while the store fails
	for {
		select {
		case <-r.kick:
		case <-tick:
		case <-retry:
			retry = nil
		case <-r.closing:
			r.drain()
			return
		}
		if retry != nil {
			continue // the store is failing: wait for the backoff
		}
		if !r.flush() {
			retry = time.After(r.failing.backoff)
		}
	}
}

// drain writes everything queued, waiting out the backoff between failed
// writes, until the queue is empty or r.ctx ends (Close's deadline): then
// the records left are dropped as unwritten.
func (r *Recorder) drain() {
	for {
		if r.flush() {
			return
		}
		t := time.NewTimer(r.failing.backoff)
		select {
		case <-t.C:
		case <-r.ctx.Done():
			t.Stop()
		}
		if r.ctx.Err() != nil {
			r.dropQueued(DropUnwritten)
			return
		}
	}
}

// dropQueued drops every queued record for reason.
func (r *Recorder) dropQueued(reason DropReason) {
	r.mu.Lock()
	reqs, samples, decisions := r.reqs.take(), r.samples.take(), r.decisions.take()
	r.held -= len(reqs) + len(samples) + len(decisions)
	r.mu.Unlock()
	err := r.failing.lastErr
	r.drops.add(KindRequest, reason, len(reqs), err)
	r.drops.add(KindWorkerSample, reason, len(samples), err)
	r.drops.add(KindDecision, reason, len(decisions), err)
}

// queue holds the records of one kind waiting to be written, and a spare
// buffer to take their place when they are, so that a steady stream of
// records does not grow a new slice after every flush.
type queue[T any] struct {
	items, spare []T
}

// take returns the waiting records and starts an empty list in the spare.
func (q *queue[T]) take() []T {
	out := q.items
	q.items, q.spare = q.spare[:0], nil
	return out
}

// putBack returns records whose write failed to the head of the queue,
// ahead of those that arrived meanwhile.
func (q *queue[T]) putBack(recs []T) {
	q.items = append(append(make([]T, 0, len(recs)+len(q.items)), recs...), q.items...)
}

// giveBack keeps a written buffer as the spare unless it is large (after a
// burst), which the garbage collector then reclaims.
func (q *queue[T]) giveBack(buf []T, maxCap int) {
	if q.spare == nil && cap(buf) > 0 && cap(buf) <= maxCap {
		clear(buf) // release the records' strings
		q.spare = buf[:0]
	}
}
