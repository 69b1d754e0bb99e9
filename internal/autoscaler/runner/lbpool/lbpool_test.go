package lbpool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/proxy"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func TestConvert(t *testing.T) {
	s := proxy.Snapshot{
		Time: t0,
		Workers: []proxy.WorkerInfo{
			{ID: "w1", Address: "http://127.0.0.1:1", State: lifecycle.Ready, InFlight: 2, PredictedLeft: 300, Speed: 1000,
				CPUPercent: 55, MemoryBytes: 96 << 20, LaunchedAt: t0.Add(-time.Hour), StateSince: t0.Add(-time.Minute), LastHealth: t0},
			{ID: "w2", Address: "http://127.0.0.1:2", State: lifecycle.Unhealthy, CPUPercent: -1, MemoryBytes: -1,
				LaunchedAt: t0.Add(-time.Hour), StateSince: t0.Add(-20 * time.Second), LastHealth: t0, HealthError: "refused"},
			{ID: "w3", Address: "http://127.0.0.1:3", State: lifecycle.Booting, CPUPercent: -1, LaunchedAt: t0.Add(-time.Second), StateSince: t0},
		},
		Queue: proxy.QueueInfo{Len: 3, PredictedUnits: 900, ArrivedUnits: 12345},
	}
	got := Convert(s)
	if got.QueueLen != 3 || got.QueuedUnits != 900 || got.ArrivedUnits != 12345 || !got.Time.Equal(t0) || len(got.Workers) != 3 {
		t.Fatalf("snapshot %+v", got)
	}
	w1, w2, w3 := got.Workers[0], got.Workers[1], got.Workers[2]
	if w1.ID != "w1" || w1.State != lifecycle.Ready || w1.InFlight != 2 || w1.PredictedLeft != 300 || w1.Speed != 1000 ||
		w1.CPUPercent != 55 || !w1.Healthy || w1.Address != "http://127.0.0.1:1" || !w1.UnhealthySince.IsZero() || !w1.Sampled.Equal(t0) || w1.MemoryMB != 96 {
		t.Errorf("w1 %+v", w1)
	}
	if w2.State != lifecycle.Unhealthy || !w2.UnhealthySince.Equal(t0.Add(-20*time.Second)) || w2.Healthy || w2.MemoryMB != -1 {
		t.Errorf("w2 %+v: an unhealthy worker is unhealthy since its state changed", w2)
	}
	if w3.State != lifecycle.Booting || !w3.LaunchedAt.Equal(t0.Add(-time.Second)) || w3.Healthy || !w3.Sampled.IsZero() {
		t.Errorf("w3 %+v: a booting worker was never checked", w3)
	}
}

// The adapter drives a real pool: workers join booting, drain,
// and leave.
func TestDrivesTheLoadBalancersPool(t *testing.T) {
	pol, err := balancer.New("least-requests")
	if err != nil {
		t.Fatal(err)
	}
	p := proxy.NewPool(proxy.PoolOptions{Config: proxy.Default(), Policy: pol, Now: func() time.Time { return t0 }})
	defer p.Close()
	a := New(p, nil)
	for _, id := range []string{"w1", "w2"} {
		if err := a.Add(provider.Instance{ID: id, Address: "http://127.0.0.1:1", LaunchedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	s := a.Snapshot()
	if len(s.Workers) != 2 || s.Workers[0].State != lifecycle.Booting || s.Workers[1].State != lifecycle.Booting {
		t.Fatalf("after Add: %+v", s.Workers)
	}
	if err := a.Drain("w2"); err != nil {
		t.Fatal(err)
	}
	if s := a.Snapshot(); s.Workers[1].State != lifecycle.Draining {
		t.Fatalf("after Drain: %+v", s.Workers[1])
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := a.WaitIdle(ctx, "w2"); err != nil {
		t.Fatalf("WaitIdle of an idle worker: %v", err)
	}
	if err := a.Remove("w2"); err != nil {
		t.Fatal(err)
	}
	if err := a.Remove("w2"); !errors.Is(err, proxy.ErrUnknownWorker) {
		t.Fatalf("second Remove: %v", err)
	}
	if s := a.Snapshot(); len(s.Workers) != 1 || s.Workers[0].ID != "w1" {
		t.Fatalf("after Remove: %+v", s.Workers)
	}
}
