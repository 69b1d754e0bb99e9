package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestTwoStageStop: the first signal cancels the context, the second
// closes its stop-now channel; contexts made with untilStopNow end then.
func TestTwoStageStop(t *testing.T) {
	sigs := make(chan os.Signal)
	ctx, stop := twoStageStop(context.Background(), sigs)
	defer stop()
	graceful, cancel := untilStopNow(ctx, context.Background())
	defer cancel()
	now := stopNow(ctx)
	if now == nil {
		t.Fatal("no stop-now channel")
	}
	select {
	case <-ctx.Done():
		t.Fatal("cancelled before any signal")
	default:
	}
	sigs <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first signal did not cancel the context")
	}
	select {
	case <-now:
		t.Fatal("the first signal closed the stop-now channel")
	default:
	}
	if graceful.Err() != nil {
		t.Fatal("the first signal ended a context that waits for the second")
	}
	sigs <- syscall.SIGTERM
	select {
	case <-now:
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not close the stop-now channel")
	}
	select {
	case <-graceful.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not end the untilStopNow context")
	}
	if stopNow(context.Background()) != nil {
		t.Error("a plain context has a stop-now channel")
	}
}
