package main

import (
	"context"
	"testing"
	"time"
)

func TestWorkerWatchParent(t *testing.T) {
	gone := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A ppid that is not ours: the watcher must report the parent gone.
	go wkWatchParent(ctx, -1, 10*time.Millisecond, func() { close(gone) })
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("a changed parent was not noticed")
	}
}
