package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

func testConcurrent(t *testing.T, open Opener) {
	const (
		writers = 6
		batches = 5
		per     = 20
	)
	ctx := context.Background()
	s := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4*writers*batches)
	for g := range writers {
		wg.Go(func() {
			for b := range batches {
				recs := make([]metrics.RequestRecord, per)
				for i := range recs {
					n := (g*batches+b)*per + i
					recs[i] = directRequest(fmt.Sprintf("g%d-%04d", g, n), t0.Add(time.Duration(n)*time.Microsecond), workload.Kinds[n%3])
					recs[i].WorkerID = fmt.Sprint("w", g)
				}
				errs <- s.AppendRequests(ctx, recs)
				errs <- s.AppendWorkerSamples(ctx, []metrics.WorkerSample{{
					Time: at(b), WorkerID: fmt.Sprint("w", g), Health: lifecycle.Ready,
				}})
				errs <- s.AppendDecisions(ctx, []metrics.Decision{{
					Time: at(b), Policy: fmt.Sprint("p", g), Action: lifecycle.ActionKeep,
				}})
				_, err := s.Requests(ctx, metrics.RequestQuery{WorkerID: fmt.Sprint("w", g)})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent call: %v", err)
		}
	}
	got := allRequests(t, s)
	seen := map[string]bool{}
	for _, r := range got {
		seen[r.Key] = true
	}
	if want := writers * batches * per; len(got) != want || len(seen) != want {
		t.Errorf("after concurrent appends: %d records (%d distinct), want %d", len(got), len(seen), want)
	}
	w, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
	must(t, "WorkerSamples", err)
	d, err := s.Decisions(ctx, metrics.DecisionQuery{})
	must(t, "Decisions", err)
	if len(w) != writers*batches || len(d) != writers*batches {
		t.Errorf("after concurrent appends: %d samples and %d decisions, want %d of each", len(w), len(d), writers*batches)
	}
}

// calls are every Store method, each with valid arguments.
func calls(s metrics.Store) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"AppendRequests": func(ctx context.Context) error {
			return s.AppendRequests(ctx, []metrics.RequestRecord{fullRequest()})
		},
		"AppendWorkerSamples": func(ctx context.Context) error {
			return s.AppendWorkerSamples(ctx, []metrics.WorkerSample{fullSample()})
		},
		"AppendDecisions": func(ctx context.Context) error {
			return s.AppendDecisions(ctx, []metrics.Decision{fullDecision()})
		},
		"Requests": func(ctx context.Context) error {
			_, err := s.Requests(ctx, metrics.RequestQuery{})
			return err
		},
		"WorkerSamples": func(ctx context.Context) error {
			_, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
			return err
		},
		"Decisions": func(ctx context.Context) error {
			_, err := s.Decisions(ctx, metrics.DecisionQuery{})
			return err
		},
	}
}

func testCancelled(t *testing.T, open Opener) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, call := range calls(s) {
		t.Run(name, func(t *testing.T) {
			if err := call(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("with a cancelled context: error %v, want one wrapping context.Canceled", err)
			}
		})
	}
	t.Run("NothingWritten", func(t *testing.T) {
		if got := allRequests(t, s); len(got) != 0 {
			t.Errorf("an append with a cancelled context stored %d records", len(got))
		}
	})
	t.Run("DeadlineExceeded", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		if err := calls(s)["Requests"](ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("with an expired deadline: error %v, want one wrapping context.DeadlineExceeded", err)
		}
	})
}

func testClose(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	must(t, "AppendRequests", s.AppendRequests(ctx, requestSet()))
	must(t, "Close", s.Close())
	must(t, "second Close", s.Close())
	for name, call := range calls(s) {
		t.Run(name, func(t *testing.T) {
			if err := call(ctx); !errors.Is(err, metrics.ErrClosed) {
				t.Errorf("after Close: error %v, want one wrapping ErrClosed", err)
			}
		})
	}
}
