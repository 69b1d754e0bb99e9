package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeStore keeps appended records in memory. It can fail its first calls,
// fail always, or block until released.
type fakeStore struct {
	Store // queries are not used by the Recorder

	mu        sync.Mutex
	reqs      []RequestRecord
	samples   []WorkerSample
	decisions []Decision
	batches   []int // sizes of the request batches written
	calls     int
	failFirst int   // fail this many calls
	failWith  error // the error of failing calls; nil = a transient error
	block     chan struct{}
	appended  chan struct{} // receives after every successful append
}

func newFakeStore() *fakeStore { return &fakeStore{appended: make(chan struct{}, 1000)} }

func (f *fakeStore) call(ctx context.Context) error {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failFirst < 0 || f.calls <= f.failFirst {
		if f.failWith != nil {
			return f.failWith
		}
		return fmt.Errorf("transient failure %d", f.calls)
	}
	return nil
}

func (f *fakeStore) AppendRequests(ctx context.Context, recs []RequestRecord) error {
	if err := f.call(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, recs...)
	f.batches = append(f.batches, len(recs))
	f.mu.Unlock()
	f.appended <- struct{}{}
	return nil
}

func (f *fakeStore) AppendWorkerSamples(ctx context.Context, s []WorkerSample) error {
	if err := f.call(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	f.samples = append(f.samples, s...)
	f.mu.Unlock()
	f.appended <- struct{}{}
	return nil
}

func (f *fakeStore) AppendDecisions(ctx context.Context, d []Decision) error {
	if err := f.call(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	f.decisions = append(f.decisions, d...)
	f.mu.Unlock()
	f.appended <- struct{}{}
	return nil
}

func (f *fakeStore) snapshot() (reqs []RequestRecord, batches []int, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]RequestRecord(nil), f.reqs...), append([]int(nil), f.batches...), f.calls
}

// waitAppend waits for the next successful append.
func (f *fakeStore) waitAppend(t *testing.T) {
	t.Helper()
	select {
	case <-f.appended:
	case <-time.After(5 * time.Second):
		t.Fatal("no append within 5s")
	}
}

func req(i int) RequestRecord {
	r := okRequest()
	r.Key = fmt.Sprintf("r%04d", i)
	r.Time = t0.Add(time.Duration(i) * time.Millisecond)
	return r
}

func closeOK(t *testing.T, r *Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestRecorderFlushesBySize(t *testing.T) {
	f := newFakeStore()
	tick := make(chan time.Time)
	r := NewRecorder(f, RecorderOptions{BatchSize: 4, Tick: tick}, nil)
	// Three records do not fill a batch and no tick comes: nothing is
	// written until the fourth arrives, and then all four at once.
	for i := range 4 {
		r.Request(req(i))
	}
	f.waitAppend(t)
	if _, batches, _ := f.snapshot(); len(batches) != 1 || batches[0] != 4 {
		t.Fatalf("batches %v, want [4]", batches)
	}
	// Three more wait for the tick.
	for i := 4; i < 7; i++ {
		r.Request(req(i))
	}
	tick <- time.Now()
	f.waitAppend(t)
	if _, batches, _ := f.snapshot(); len(batches) != 2 || batches[1] != 3 {
		t.Fatalf("batches %v, want [4 3]", batches)
	}
	closeOK(t, r)
	if s := r.Stats(); s.Written != 7 || s.Dropped() != 0 || s.Queued != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestRecorderFlushesByInterval(t *testing.T) {
	f := newFakeStore()
	r := NewRecorder(f, RecorderOptions{BatchSize: 100, FlushInterval: 5 * time.Millisecond}, nil)
	r.Request(req(1))
	r.WorkerSample(WorkerSample{Time: t0, WorkerID: "w1", Health: lifecycle.Ready})
	f.waitAppend(t)
	f.waitAppend(t)
	reqs, _, _ := f.snapshot()
	f.mu.Lock()
	samples := len(f.samples)
	f.mu.Unlock()
	if len(reqs) != 1 || samples != 1 {
		t.Errorf("after an interval: %d requests and %d samples written, want 1 and 1", len(reqs), samples)
	}
	closeOK(t, r)
}

func TestRecorderCloseWritesEverything(t *testing.T) {
	f := newFakeStore()
	r := NewRecorder(f, RecorderOptions{BatchSize: 64, FlushInterval: time.Hour}, nil)
	const goroutines, per = 4, 250
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range per {
				r.Request(req(g*per + i))
			}
			r.WorkerSample(WorkerSample{Time: t0.Add(time.Duration(g)), WorkerID: "w", Health: lifecycle.Ready})
			r.Decision(Decision{Time: t0.Add(time.Duration(g)), Policy: "p", Action: lifecycle.ActionKeep})
		})
	}
	wg.Wait()
	closeOK(t, r)
	reqs, batches, _ := f.snapshot()
	seen := map[string]bool{}
	for _, q := range reqs {
		seen[q.Key] = true
	}
	if len(reqs) != goroutines*per || len(seen) != goroutines*per {
		t.Errorf("%d requests written (%d distinct), want %d", len(reqs), len(seen), goroutines*per)
	}
	for _, b := range batches {
		if b > 64 {
			t.Errorf("a batch of %d records, more than BatchSize 64", b)
		}
	}
	if len(f.samples) != goroutines || len(f.decisions) != goroutines {
		t.Errorf("%d samples and %d decisions written, want %d each", len(f.samples), len(f.decisions), goroutines)
	}
	if s := r.Stats(); s.Written != goroutines*(per+2) || s.Dropped() != 0 || s.Queued != 0 {
		t.Errorf("stats %+v", s)
	}
}

// logBuffer collects log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRecorderOverflowIsCountedAndLoggedOnce(t *testing.T) {
	f := newFakeStore()
	f.block = make(chan struct{})
	var logs logBuffer
	r := NewRecorder(f, RecorderOptions{BatchSize: 2, QueueLen: 10, FlushInterval: time.Hour},
		slog.New(slog.NewTextHandler(&logs, nil)))
	// The store blocks, so records being written still hold their room in
	// the queue: exactly QueueLen are accepted, whatever the writer does.
	for i := range 15 {
		r.Request(req(i))
	}
	if got := r.Dropped(); got != 5 {
		t.Errorf("Dropped() = %d, want 5", got)
	}
	if s := r.Stats(); s.Full != 5 || s.Queued != 10 {
		t.Errorf("stats %+v, want Full 5 and Queued 10", s)
	}
	if n := strings.Count(logs.String(), "metrics records dropped"); n != 1 {
		t.Errorf("%d log lines about dropped records, want 1 (rate-limited):\n%s", n, logs.String())
	}
	close(f.block)
	closeOK(t, r)
	reqs, _, _ := f.snapshot()
	if len(reqs) != 10 {
		t.Fatalf("%d records written, want the 10 accepted", len(reqs))
	}
	for _, q := range reqs {
		if q.Key >= "r0010" {
			t.Errorf("record %s was written although the queue was full when it came", q.Key)
		}
	}
}

func TestRecorderRetriesFailedWrites(t *testing.T) {
	f := newFakeStore()
	f.failFirst = 2
	r := NewRecorder(f, RecorderOptions{BatchSize: 10, FlushInterval: time.Hour, RetryBackoff: time.Millisecond}, nil)
	for i := range 5 {
		r.Request(req(i))
	}
	closeOK(t, r)
	reqs, _, calls := f.snapshot()
	if len(reqs) != 5 || calls != 3 {
		t.Errorf("%d records written in %d calls, want 5 in 3 (two failures, then success)", len(reqs), calls)
	}
	if s := r.Stats(); s.Dropped() != 0 || s.WriteErrors != 2 || s.Written != 5 {
		t.Errorf("stats %+v", s)
	}
}

// TestRecorderNeverGivesUpWhileTheQueueHasRoom: a store that fails for
// many calls in a row (locked, full) loses nothing: the records stay
// queued and are written once it works again, and the failure is logged
// once, not per attempt, and so is the recovery.
func TestRecorderNeverGivesUpWhileTheQueueHasRoom(t *testing.T) {
	f := newFakeStore()
	f.failFirst = 25
	var logs logBuffer
	r := NewRecorder(f, RecorderOptions{BatchSize: 10, FlushInterval: time.Millisecond, RetryBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, LogInterval: time.Hour},
		slog.New(slog.NewTextHandler(&logs, nil)))
	for i := range 3 {
		r.Request(req(i))
	}
	f.waitAppend(t)
	closeOK(t, r)
	reqs, _, calls := f.snapshot()
	if len(reqs) != 3 || calls != 26 {
		t.Errorf("%d records written in %d store calls, want 3 in 26 (25 failures, then success)", len(reqs), calls)
	}
	if s := r.Stats(); s.Dropped() != 0 || s.Written != 3 || s.WriteErrors != 25 {
		t.Errorf("stats %+v, want 3 written, 25 write errors, nothing dropped", s)
	}
	out := logs.String()
	if n := strings.Count(out, "metrics store write failed"); n != 1 || strings.Contains(out, "still failing") {
		t.Errorf("25 failures in a row logged %d first-failure lines (want 1, and no repeat within LogInterval):\n%s", n, out)
	}
	if !strings.Contains(out, "metrics store writes resumed") || strings.Contains(out, "dropped") {
		t.Errorf("the recovery is not logged, or a drop is:\n%s", out)
	}
}

// TestRecorderKeepsRecordsWhileTheStoreFails: records that arrive while
// the store fails join the queue, in order, behind the ones that failed.
func TestRecorderKeepsRecordsWhileTheStoreFails(t *testing.T) {
	f := newFakeStore()
	f.failFirst = 4
	tick := make(chan time.Time)
	r := NewRecorder(f, RecorderOptions{BatchSize: 2, Tick: tick, RetryBackoff: time.Millisecond, MaxBackoff: time.Millisecond}, nil)
	for i := range 6 {
		r.Request(req(i))
	}
	for i := 6; i < 9; i++ {
		r.Request(req(i))
	}
	closeOK(t, r)
	reqs, _, _ := f.snapshot()
	var got []string
	for _, q := range reqs {
		got = append(got, q.Key)
	}
	want := []string{"r0000", "r0001", "r0002", "r0003", "r0004", "r0005", "r0006", "r0007", "r0008"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("written %v, want every record once, in order: %v", got, want)
	}
}

func TestRecorderDropsOnlyInvalidRecordsOfABatch(t *testing.T) {
	f := &pickyStore{fakeStore: newFakeStore(), bad: "r0002"}
	r := NewRecorder(f, RecorderOptions{BatchSize: 10, FlushInterval: time.Hour, RetryBackoff: time.Millisecond}, nil)
	for i := range 5 {
		r.Request(req(i))
	}
	closeOK(t, r)
	reqs, _, _ := f.snapshot()
	if len(reqs) != 4 {
		t.Errorf("%d records written, want the 4 valid ones of the batch", len(reqs))
	}
	for _, q := range reqs {
		if q.Key == f.bad {
			t.Errorf("the record the store rejects was written")
		}
	}
	if s := r.Stats(); s.Invalid != 1 || s.Written != 4 || s.Dropped() != 1 {
		t.Errorf("stats %+v, want 4 written and 1 invalid", s)
	}
}

// pickyStore rejects, as invalid, every batch holding the record bad.
type pickyStore struct {
	*fakeStore
	bad string
}

func (p *pickyStore) AppendRequests(ctx context.Context, recs []RequestRecord) error {
	for _, r := range recs {
		if r.Key == p.bad {
			return fmt.Errorf("append: record %s: %w", r.Key, ErrInvalidRecord)
		}
	}
	return p.fakeStore.AppendRequests(ctx, recs)
}

func TestRecorderCloseReportsWhatTheStoreDidNotTake(t *testing.T) {
	f := newFakeStore()
	f.failFirst = -1
	f.failWith = errors.New("database or disk is full")
	var logs logBuffer
	r := NewRecorder(f, RecorderOptions{FlushInterval: time.Millisecond, RetryBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		slog.New(slog.NewTextHandler(&logs, nil)))
	for i := range 3 {
		r.Request(req(i))
	}
	r.WorkerSample(WorkerSample{Time: t0, WorkerID: "w", Health: lifecycle.Ready})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := r.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "4 records could not be written (last store error: database or disk is full)") {
		t.Fatalf("Close error %v, want the deadline, the 4 records and the store's error", err)
	}
	if s := r.Stats(); s.Unwritten != 4 || s.Queued != 0 {
		t.Errorf("stats %+v, want 4 unwritten and none queued", s)
	}
	want := map[Drop]bool{
		{Kind: KindRequest, Reason: DropUnwritten, Count: 3}:      true,
		{Kind: KindWorkerSample, Reason: DropUnwritten, Count: 1}: true,
	}
	for _, d := range r.Drops() {
		if d.Count != 0 && !want[d] {
			t.Errorf("unexpected drop count %+v", d)
		}
		delete(want, d)
	}
	if len(want) != 0 {
		t.Errorf("drop counts missing: %v", want)
	}
	if !strings.Contains(logs.String(), "request.unwritten=3") || !strings.Contains(logs.String(), "worker_sample.unwritten=1") {
		t.Errorf("the drops at Close are not logged by kind:\n%s", logs.String())
	}
	if err2 := r.Close(context.Background()); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second Close returned %v, want the first call's result %v", err2, err)
	}
}

func TestRecorderStoreClosedUnderIt(t *testing.T) {
	f := newFakeStore()
	f.failFirst = -1
	f.failWith = fmt.Errorf("append: %w", ErrClosed)
	r := NewRecorder(f, RecorderOptions{FlushInterval: time.Hour}, nil)
	r.Request(req(1))
	err := r.Close(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1 records could not be written") {
		t.Errorf("Close error %v, want one counting the record", err)
	}
	if _, _, calls := f.snapshot(); calls != 1 {
		t.Errorf("%d store calls to a closed store, want 1", calls)
	}
}

// TestRecorderLogsEveryDropEventually: drops within LogInterval of a log
// line are not logged at once, but on a later tick: rate-limited, never
// silent.
func TestRecorderLogsEveryDropEventually(t *testing.T) {
	f := newFakeStore()
	f.block = make(chan struct{})
	var logs logBuffer
	r := NewRecorder(f, RecorderOptions{BatchSize: 100, QueueLen: 2, FlushInterval: 5 * time.Millisecond, LogInterval: 50 * time.Millisecond},
		slog.New(slog.NewTextHandler(&logs, nil)))
	for i := range 7 {
		r.Request(req(i)) // 2 queued, 5 dropped: the first drop is logged at once
	}
	r.Decision(Decision{Time: t0, Policy: "p", Action: lifecycle.ActionKeep})
	testutil.WaitFor(t, 10*time.Second, 5*time.Millisecond, "the later drops to be logged", func() bool {
		return strings.Count(logs.String(), "metrics records dropped") == 2
	})
	out := logs.String()
	if !strings.Contains(out, "dropped=1 dropped_total=1 request.queue_full=1") ||
		!strings.Contains(out, "dropped=5 dropped_total=6 request.queue_full=4 decision.queue_full=1") {
		t.Errorf("log lines do not count the drops since the last line:\n%s", out)
	}
	close(f.block)
	closeOK(t, r)
}

func TestRecorderCloseGivesUpWhenContextEnds(t *testing.T) {
	f := newFakeStore()
	f.block = make(chan struct{}) // never released: the store hangs until the context ends
	r := NewRecorder(f, RecorderOptions{FlushInterval: time.Hour}, nil)
	r.Request(req(1))
	r.Request(req(2))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := r.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close error %v, want one wrapping context.DeadlineExceeded", err)
	}
	if s := r.Stats(); s.Unwritten != 2 || s.Queued != 0 {
		t.Errorf("stats %+v, want the 2 unwritten records counted", s)
	}
}

func TestRecorderDropsInvalidAndLateRecords(t *testing.T) {
	f := newFakeStore()
	r := NewRecorder(f, RecorderOptions{FlushInterval: time.Hour}, nil)
	bad := req(1)
	bad.RequestID = ""
	r.Request(bad)
	r.WorkerSample(WorkerSample{WorkerID: "w"})                 // no time
	r.Decision(Decision{Time: t0, Action: lifecycle.ActionAdd}) // no policy
	long := req(2)
	long.Error = strings.Repeat("x", 3*MaxTextLen)
	r.Request(long)
	closeOK(t, r)
	r.Request(req(3))
	s := r.Stats()
	if s.Invalid != 3 || s.AfterClose != 1 || s.Written != 1 || s.Dropped() != 4 {
		t.Errorf("stats %+v, want 3 invalid, 1 after close, 1 written", s)
	}
	reqs, _, _ := f.snapshot()
	if len(reqs) != 1 || len(reqs[0].Error) > MaxTextLen || !strings.HasSuffix(reqs[0].Error, "…") {
		t.Errorf("a record with a too-long error was not truncated and written: %d records", len(reqs))
	}
}

func TestRecorderDefaults(t *testing.T) {
	o := RecorderOptions{BatchSize: -1}.withDefaults()
	want := RecorderOptions{
		BatchSize: DefaultBatchSize, FlushInterval: DefaultFlushInterval, QueueLen: DefaultQueueLen,
		RetryBackoff: DefaultRetryBackoff, MaxBackoff: DefaultMaxBackoff, WriteTimeout: DefaultWriteTimeout,
		LogInterval: DefaultLogInterval,
	}
	if o != want {
		t.Errorf("defaults %+v, want %+v", o, want)
	}
	if o := (RecorderOptions{RetryBackoff: time.Minute}).withDefaults(); o.MaxBackoff != time.Minute {
		t.Errorf("MaxBackoff %v below RetryBackoff %v", o.MaxBackoff, o.RetryBackoff)
	}
	if DefaultBatchSize != 256 || DefaultFlushInterval != 100*time.Millisecond || DefaultQueueLen != 65536 {
		t.Error("the documented defaults changed")
	}
}

// countStore counts appended records and keeps none.
type countStore struct {
	Store
	n atomic.Int64
}

func (c *countStore) AppendRequests(_ context.Context, recs []RequestRecord) error {
	c.n.Add(int64(len(recs)))
	return nil
}

// BenchmarkRecorderRequest measures what a request pays to record itself.
func BenchmarkRecorderRequest(b *testing.B) {
	c := &countStore{}
	r := NewRecorder(c, RecorderOptions{}, nil)
	rec := req(1)
	b.ReportAllocs()
	for b.Loop() {
		r.Request(rec)
	}
	b.StopTimer()
	if err := r.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	if got := c.n.Load() + r.Dropped(); got != int64(b.N) {
		b.Fatalf("%d records written or dropped, want %d", got, b.N)
	}
	b.ReportMetric(float64(r.Dropped())/float64(b.N), "dropped/op")
}
