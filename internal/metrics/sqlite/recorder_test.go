package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// recorderOptions keep a test short: the backoff between failed writes
// stays within 50ms, so the writer retries many times per second.
var recorderOptions = metrics.RecorderOptions{
	BatchSize: 64, FlushInterval: 10 * time.Millisecond,
	RetryBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, WriteTimeout: 5 * time.Second,
}

// attemptRecord is attempt 1 of request i, with an error text of
// textBytes bytes (to make records take room).
func attemptRecord(i, textBytes int) metrics.RequestRecord {
	return metrics.RequestRecord{
		Key: fmt.Sprintf("key-%05d", i), Role: metrics.RoleAttempt, RequestID: fmt.Sprintf("req-%05d", i), Attempt: 1,
		Time:     time.Date(2024, 5, 2, 10, 0, 0, i, time.UTC),
		Features: workload.Features{Kind: workload.Blur, Width: i, Height: 1},
		WorkerID: "w1", Outcome: metrics.OutcomeServerError, Status: 500, Error: strings.Repeat("e", textBytes),
	}
}

// waitWriteErrors waits until the recorder's store calls failed n times.
func waitWriteErrors(t *testing.T, r *metrics.Recorder, n int64) {
	t.Helper()
	testutil.WaitFor(t, 30*time.Second, 5*time.Millisecond, fmt.Sprintf("%d failed writes", n), func() bool {
		return r.Stats().WriteErrors >= n
	})
}

// closeRecorder closes r with a generous deadline and fails the test on
// an error.
func closeRecorder(t *testing.T, r *metrics.Recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// countStored checks that the store holds exactly n request records and
// samples samples, each once.
func countStored(t *testing.T, s *Store, n, samples int) {
	t.Helper()
	ctx := context.Background()
	recs, err := s.Requests(ctx, metrics.RequestQuery{Limit: metrics.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.RequestID] = true
	}
	got, err := s.WorkerSamples(ctx, metrics.WorkerQuery{Limit: metrics.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n || len(seen) != n || len(got) != samples {
		t.Errorf("the store holds %d request records (%d requests) and %d samples, want %d, %d and %d",
			len(recs), len(seen), len(got), n, n, samples)
	}
}

// TestRecorderOutlastsALockedStore: the file stays locked by another
// connection (an exclusive transaction the test holds) for many times the
// store's busy timeout, far longer than a recorder that gives up after a
// few retries would wait: every record is written once the lock goes, and
// nothing is dropped.
func TestRecorderOutlastsALockedStore(t *testing.T) {
	path := tempPath(t)
	s, err := Open(context.Background(), path, Options{BusyTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	release := holdLock(t, path)
	r := metrics.NewRecorder(s, recorderOptions, slog.New(slog.NewTextHandler(testutil.LogWriter(t), nil)))
	const n, samples = 300, 5
	for i := range n {
		r.Request(attemptRecord(i, 0))
	}
	for i := range samples {
		r.WorkerSample(metrics.WorkerSample{Time: time.Unix(int64(i), 0), WorkerID: "w1", Health: lifecycle.Ready})
	}
	// Twenty failed writes in a row: five times what a writer giving up
	// after three retries would attempt.
	waitWriteErrors(t, r, 20)
	if st := r.Stats(); st.Written != 0 || st.Queued != n+samples || st.Dropped() != 0 {
		t.Fatalf("while the file is locked: %+v, want every record queued", st)
	}
	release()
	closeRecorder(t, r)
	if st := r.Stats(); st.Written != n+samples || st.Dropped() != 0 {
		t.Errorf("after the lock went: %+v, want %d written and nothing dropped", st, n+samples)
	}
	countStored(t, s, n, samples)
}
