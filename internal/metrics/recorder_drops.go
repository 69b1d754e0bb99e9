package metrics

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// RecordKind names a kind of record in drop counts and log lines.
type RecordKind string

// The kinds of records a Recorder keeps.
const (
	KindRequest      RecordKind = "request"
	KindWorkerSample RecordKind = "worker_sample"
	KindDecision     RecordKind = "decision"
)

// RecordKinds lists every kind in a stable order.
var RecordKinds = []RecordKind{KindRequest, KindWorkerSample, KindDecision}

// DropReason says why a Recorder dropped a record.
type DropReason string

// The reasons a record is dropped; nothing else drops one.
const (
	// DropQueueFull: the queue already held QueueLen records (the store is
	// far too slow, or has been failing for long).
	DropQueueFull DropReason = "queue_full"
	// DropInvalid: the record failed validation, the Recorder's or the
	// store's.
	DropInvalid DropReason = "invalid"
	// DropAfterClose: the record arrived after Close began.
	DropAfterClose DropReason = "after_close"
	// DropUnwritten: the record was still queued when Close's context
	// ended with the store still failing, or the store was closed under
	// the Recorder.
	DropUnwritten DropReason = "unwritten"
)

// DropReasons lists every reason in a stable order.
var DropReasons = []DropReason{DropQueueFull, DropInvalid, DropAfterClose, DropUnwritten}

// Drop is how many records of one kind were dropped for one reason.
type Drop struct {
	Kind   RecordKind
	Reason DropReason
	Count  int64
}

// dropCounts counts dropped records by kind and reason, and logs them at
// most once per interval with the numbers dropped since the last line: a
// drop within interval of the last line is logged when the interval ends.
type dropCounts struct {
	n        [3][4]atomic.Int64 // [kind][reason], in the order of RecordKinds and DropReasons
	log      *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	logged  time.Time      // when the last line was logged
	pending map[Drop]int64 // dropped since then, by kind and reason (Count unused)
	lastErr error          // the last error that came with a drop
	timer   *time.Timer    // logs the pending drops when the interval ends
}

func newDropCounts(log *slog.Logger, interval time.Duration) *dropCounts {
	return &dropCounts{log: log, interval: interval, pending: map[Drop]int64{}}
}

func kindIndex(k RecordKind) int {
	switch k {
	case KindWorkerSample:
		return 1
	case KindDecision:
		return 2
	}
	return 0
}

func reasonIndex(r DropReason) int {
	switch r {
	case DropInvalid:
		return 1
	case DropAfterClose:
		return 2
	case DropUnwritten:
		return 3
	}
	return 0
}

// add counts n dropped records and logs them, now or when the interval
// since the last line ends.
func (d *dropCounts) add(k RecordKind, r DropReason, n int, err error) {
	if n <= 0 {
		return
	}
	d.n[kindIndex(k)][reasonIndex(r)].Add(int64(n))
	d.mu.Lock()
	d.pending[Drop{Kind: k, Reason: r}] += int64(n)
	if err != nil {
		d.lastErr = err
	}
	now := time.Now()
	if wait := d.interval - now.Sub(d.logged); !d.logged.IsZero() && wait > 0 {
		if d.timer == nil {
			d.timer = time.AfterFunc(wait, d.logPending)
		}
		d.mu.Unlock()
		return
	}
	attrs := d.takeLocked(now)
	d.mu.Unlock()
	d.emit(attrs)
}

// logPending logs the drops not logged yet.
func (d *dropCounts) logPending() {
	d.mu.Lock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	attrs := d.takeLocked(time.Now())
	d.mu.Unlock()
	d.emit(attrs)
}

// takeLocked returns the log attributes of the pending drops and clears
// them; nil if there are none.
func (d *dropCounts) takeLocked(now time.Time) []any {
	if len(d.pending) == 0 {
		return nil
	}
	var total int64
	var counts []any
	for _, k := range RecordKinds {
		for _, r := range DropReasons {
			if n := d.pending[Drop{Kind: k, Reason: r}]; n > 0 {
				total += n
				counts = append(counts, slog.Int64(string(k)+"."+string(r), n))
			}
		}
	}
	attrs := append([]any{slog.Int64("dropped", total), slog.Int64("dropped_total", d.total())}, counts...)
	if d.lastErr != nil {
		attrs = append(attrs, slog.Any("err", d.lastErr))
	}
	clear(d.pending)
	d.lastErr = nil
	d.logged = now
	return attrs
}

func (d *dropCounts) emit(attrs []any) {
	if attrs != nil {
		d.log.Warn("metrics records dropped", attrs...)
	}
}

func (d *dropCounts) get(k RecordKind, r DropReason) int64 {
	return d.n[kindIndex(k)][reasonIndex(r)].Load()
}

// byReason is the number of records of every kind dropped for r.
func (d *dropCounts) byReason(r DropReason) int64 {
	var n int64
	for _, k := range RecordKinds {
		n += d.get(k, r)
	}
	return n
}

func (d *dropCounts) total() int64 {
	var n int64
	for _, r := range DropReasons {
		n += d.byReason(r)
	}
	return n
}

// all lists the count of every kind and reason, zeros included.
func (d *dropCounts) all() []Drop {
	out := make([]Drop, 0, len(RecordKinds)*len(DropReasons))
	for _, k := range RecordKinds {
		for _, r := range DropReasons {
			out = append(out, Drop{Kind: k, Reason: r, Count: d.get(k, r)})
		}
	}
	return out
}
