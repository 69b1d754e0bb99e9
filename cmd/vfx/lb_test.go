package main

import (
	"context"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/proxy"
)

// TestWaitReadyEmptyPool: with no worker to wait for (vfx up --min 0),
// the banner is not held back until the timeout.
func TestWaitReadyEmptyPool(t *testing.T) {
	policy, err := balancer.New("cost")
	if err != nil {
		t.Fatal(err)
	}
	pool := proxy.NewPool(proxy.PoolOptions{Config: proxy.Default(), Policy: policy})
	start := time.Now()
	if n := waitReady(context.Background(), pool, time.Minute); n != 0 {
		t.Fatalf("waitReady = %d, want 0", n)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("waitReady on an empty pool took %v", d)
	}

}
