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
// Records are lost only in these counted cases, each logged at most once
// per lossLogInterval with the number lost since the last log line:
//   - the queue already holds QueueLen records (the store is too slow or
//     down): the new record is dropped;
//   - the record fails validation (after a too-long Error or Reason has
//     been truncated to MaxTextLen): it is dropped;
//   - the record arrives after Close began: it is dropped;
//   - a write still fails after MaxRetries retries with exponential
//     backoff, or Close's context ends first: the batch is counted as
//     failed and the error logged.
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

	written, full, invalid, afterClose, failed atomic.Int64

	lossMu      sync.Mutex
	lossLogged  time.Time
	lossPending int64
}

// lossLogInterval is the least time between two log lines about dropped
// records.
const lossLogInterval = 10 * time.Second

// RecorderStats counts what happened to the records given to a Recorder.
type RecorderStats struct {
	Written    int64 // accepted by the store
	Queued     int   // waiting or being written now
	Full       int64 // dropped because the queue was full
	Invalid    int64 // dropped because they failed validation
	AfterClose int64 // dropped because they arrived after Close began
	Failed     int64 // lost because the store kept failing
}

// Dropped is the number of records lost for any reason.
func (s RecorderStats) Dropped() int64 { return s.Full + s.Invalid + s.AfterClose + s.Failed }

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
		r.lose(&r.invalid, "invalid", err)
		return
	}
	enqueue(r, &r.reqs, rec)
}

// WorkerSample queues a worker sample. It never blocks on the store.
func (r *Recorder) WorkerSample(s WorkerSample) {
	if err := s.Validate(); err != nil {
		r.lose(&r.invalid, "invalid", err)
		return
	}
	enqueue(r, &r.samples, s)
}

// Decision queues an autoscaling decision. It never blocks on the store.
func (r *Recorder) Decision(d Decision) {
	d.Reason = truncateText(d.Reason)
	if err := d.Validate(); err != nil {
		r.lose(&r.invalid, "invalid", err)
		return
	}
	enqueue(r, &r.decisions, d)
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

// giveBack keeps a written buffer as the spare unless it is large (after a
// burst), which the garbage collector then reclaims.
func (q *queue[T]) giveBack(buf []T, maxCap int) {
	if q.spare == nil && cap(buf) > 0 && cap(buf) <= maxCap {
		clear(buf) // release the records' strings
		q.spare = buf[:0]
	}
}

func enqueue[T any](r *Recorder, q *queue[T], v T) {
	r.mu.Lock()
	switch {
	case r.closed:
		r.mu.Unlock()
		r.lose(&r.afterClose, "closed", nil)
		return
	case r.held >= r.o.QueueLen:
		r.mu.Unlock()
		r.lose(&r.full, "queue full", nil)
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

// Dropped is the number of records lost for any reason (see Stats).
func (r *Recorder) Dropped() int64 { return r.Stats().Dropped() }

// Stats reports what happened to the records given to r so far.
func (r *Recorder) Stats() RecorderStats {
	r.mu.Lock()
	held := r.held
	r.mu.Unlock()
	return RecorderStats{
		Written:    r.written.Load(),
		Queued:     held,
		Full:       r.full.Load(),
		Invalid:    r.invalid.Load(),
		AfterClose: r.afterClose.Load(),
		Failed:     r.failed.Load(),
	}
}

// Close stops accepting records, writes every queued one and stops the
// writer. If ctx ends first, pending writes are abandoned, their records
// counted as failed, and Close returns ctx's error. It returns an error too
// if any record failed to be written during Close. Close is idempotent:
// later calls return the first call's result.
func (r *Recorder) Close(ctx context.Context) error {
	r.closeOnce.Do(func() { r.closeErr = r.close(ctx) })
	return r.closeErr
}

func (r *Recorder) close(ctx context.Context) error {
	failedBefore := r.failed.Load()
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
	if n := r.failed.Load() - failedBefore; n > 0 {
		err = errors.Join(err, fmt.Errorf("close metrics recorder: %d records could not be written", n))
	}
	return err
}

func (r *Recorder) run(tick <-chan time.Time, ticker *time.Ticker) {
	defer close(r.done)
	if ticker != nil {
		defer ticker.Stop()
	}
	for {
		select {
		case <-r.kick:
			r.flush()
		case <-tick:
			r.flush()
		case <-r.closing:
			r.flush()
			return
		}
	}
}

// flush writes everything queued when it starts, and what arrives while it
// writes, until the queue is empty.
func (r *Recorder) flush() {
	for {
		r.mu.Lock()
		reqs, samples, decisions := r.reqs.take(), r.samples.take(), r.decisions.take()
		r.mu.Unlock()
		if len(reqs)+len(samples)+len(decisions) == 0 {
			return
		}
		writeChunks(r, "requests", reqs, r.store.AppendRequests)
		writeChunks(r, "worker_samples", samples, r.store.AppendWorkerSamples)
		writeChunks(r, "decisions", decisions, r.store.AppendDecisions)
		keep := 4 * r.o.BatchSize
		r.mu.Lock()
		r.reqs.giveBack(reqs, keep)
		r.samples.giveBack(samples, keep)
		r.decisions.giveBack(decisions, keep)
		r.mu.Unlock()
	}
}

func writeChunks[T any](r *Recorder, kind string, all []T, appendFn func(context.Context, []T) error) {
	for len(all) > 0 {
		n := min(len(all), r.o.BatchSize)
		chunk := all[:n]
		all = all[n:]
		r.write(kind, n, func(ctx context.Context) error { return appendFn(ctx, chunk) })
	}
}

// write makes one store call, retrying with exponential backoff, and
// releases the records' room in the queue.
func (r *Recorder) write(kind string, n int, call func(context.Context) error) {
	defer func() {
		r.mu.Lock()
		r.held -= n
		r.mu.Unlock()
	}()
	backoff := r.o.RetryBackoff
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(r.ctx, r.o.WriteTimeout)
		err := call(ctx)
		cancel()
		if err == nil {
			r.written.Add(int64(n))
			return
		}
		permanent := errors.Is(err, ErrInvalidRecord) || errors.Is(err, ErrClosed)
		if permanent || attempt >= r.o.MaxRetries || r.ctx.Err() != nil {
			r.failed.Add(int64(n))
			r.log.Error("metrics write failed; records lost",
				slog.String("kind", kind), slog.Int("records", n),
				slog.Int("attempts", attempt+1), slog.Any("err", err))
			return
		}
		r.log.Warn("metrics write failed; retrying",
			slog.String("kind", kind), slog.Int("records", n),
			slog.Int("attempt", attempt+1), slog.Duration("backoff", backoff), slog.Any("err", err))
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-r.ctx.Done():
			t.Stop()
		}
		backoff *= 2
	}
}

// lose counts one dropped record and logs, at most once per
// lossLogInterval, how many were dropped since the last log line.
func (r *Recorder) lose(counter *atomic.Int64, reason string, err error) {
	counter.Add(1)
	r.lossMu.Lock()
	r.lossPending++
	now := time.Now()
	if !r.lossLogged.IsZero() && now.Sub(r.lossLogged) < lossLogInterval {
		r.lossMu.Unlock()
		return
	}
	n := r.lossPending
	r.lossPending = 0
	r.lossLogged = now
	r.lossMu.Unlock()
	attrs := []any{slog.String("reason", reason), slog.Int64("dropped", n), slog.Int64("dropped_total", r.Dropped())}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	r.log.Warn("metrics records dropped", attrs...)
}
