package metrics

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// flush writes everything queued when it starts, and what arrives while it
// writes, until the queue is empty: true. A write that fails with a
// transient error stops it: the records not written yet go back to the
// head of their queues, the failure is noted in r.failing (which sets the
// backoff), and flush returns false.
func (r *Recorder) flush() bool {
	for {
		r.mu.Lock()
		reqs, samples, decisions := r.reqs.take(), r.samples.take(), r.decisions.take()
		r.mu.Unlock()
		if len(reqs)+len(samples)+len(decisions) == 0 {
			return true
		}
		err := writeKind(r, &r.reqs, KindRequest, reqs, r.store.AppendRequests, nil)
		err = writeKind(r, &r.samples, KindWorkerSample, samples, r.store.AppendWorkerSamples, err)
		err = writeKind(r, &r.decisions, KindDecision, decisions, r.store.AppendDecisions, err)
		if err != nil {
			r.writeErrors.Add(1)
			r.mu.Lock()
			queued := r.held
			r.mu.Unlock()
			r.failing.failed(r.log, r.o, err, queued, time.Now())
			return false
		}
		r.failing.succeeded(r.log, time.Now())
	}
}

// writeKind writes the records of one kind in chunks of BatchSize. After a
// transient failure (prior, or one of its own writes) it puts the records
// not written back in q and returns the error.
func writeKind[T any](r *Recorder, q *queue[T], kind RecordKind, all []T, appendFn func(context.Context, []T) error, prior error) error {
	buf := all
	for len(all) > 0 {
		if prior != nil {
			r.mu.Lock()
			q.putBack(all)
			r.mu.Unlock()
			return prior
		}
		n := min(len(all), r.o.BatchSize)
		done, err := write(r, kind, all[:n], appendFn)
		r.mu.Lock()
		r.held -= done
		r.mu.Unlock()
		all = all[done:]
		prior = err
	}
	r.mu.Lock()
	q.giveBack(buf, 4*r.o.BatchSize)
	r.mu.Unlock()
	return prior
}

// write makes one store call for chunk and returns how many of its records
// are done with: all of them when they were written, or dropped because
// they can never be (invalid, or the store is closed); none when the write
// failed with a transient error, which it returns. A batch the store finds
// invalid is written again one record at a time, so that only the invalid
// records are dropped.
func write[T any](r *Recorder, kind RecordKind, chunk []T, appendFn func(context.Context, []T) error) (int, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.o.WriteTimeout)
	err := appendFn(ctx, chunk)
	cancel()
	switch {
	case err == nil:
		r.written.Add(int64(len(chunk)))
		return len(chunk), nil
	case errors.Is(err, ErrInvalidRecord) && len(chunk) > 1:
		for i := range chunk {
			if _, err := write(r, kind, chunk[i:i+1], appendFn); err != nil {
				return i, err
			}
		}
		return len(chunk), nil
	case errors.Is(err, ErrInvalidRecord):
		r.drops.add(kind, DropInvalid, len(chunk), err)
		return len(chunk), nil
	case errors.Is(err, ErrClosed):
		r.drops.add(kind, DropUnwritten, len(chunk), err)
		return len(chunk), nil
	}
	return 0, err
}

// storeFailure follows a run of failed writes: it sets the backoff and
// logs the first failure, then at most one line per LogInterval while the
// store keeps failing, and the recovery.
type storeFailure struct {
	since    time.Time // first failure of the run; zero while the store works
	failures int
	backoff  time.Duration
	logged   time.Time
	lastErr  error
}

func (f *storeFailure) failed(log *slog.Logger, o RecorderOptions, err error, queued int, now time.Time) {
	if f.lastErr == nil || !errors.Is(err, context.Canceled) {
		f.lastErr = err // keep the store's own error over Close's cancellation
	}
	f.failures++
	if f.since.IsZero() {
		f.since, f.backoff = now, o.RetryBackoff
	} else {
		f.backoff = min(2*f.backoff, o.MaxBackoff)
	}
	if f.failures > 1 && now.Sub(f.logged) < o.LogInterval {
		return
	}
	f.logged = now
	msg := "metrics store write failed; records stay queued and are written when it recovers"
	if f.failures > 1 {
		msg = "metrics store still failing; records stay queued"
	}
	log.Warn(msg, slog.Int("queued", queued), slog.Int("failures", f.failures),
		slog.Duration("failing_for", now.Sub(f.since)), slog.Duration("retry_in", f.backoff), slog.Any("err", err))
}

func (f *storeFailure) succeeded(log *slog.Logger, now time.Time) {
	if f.since.IsZero() {
		return
	}
	log.Info("metrics store writes resumed", slog.Int("failures", f.failures), slog.Duration("failed_for", now.Sub(f.since)))
	f.since, f.failures = time.Time{}, 0
}
