package lbpool

import (
	"context"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/autoscaler/runner"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/proxy"
)

// Pool is a proxy.Pool seen as a runner.Pool.
type Pool struct {
	p  *proxy.Pool
	tp *Throughput
}

var _ runner.Pool = (*Pool)(nil)

// New adapts p. tp, when not nil, measures the workers' throughput (feed
// it with Tee); a worker's speed is then its throughput once known.
func New(p *proxy.Pool, tp *Throughput) *Pool { return &Pool{p: p, tp: tp} }

// Add implements runner.Pool.
func (a *Pool) Add(inst provider.Instance) error { return a.p.Add(inst) }

// Drain implements runner.Pool.
func (a *Pool) Drain(id string) error { return a.p.Drain(id) }

// WaitIdle implements runner.Pool.
func (a *Pool) WaitIdle(ctx context.Context, id string) error { return a.p.WaitIdle(ctx, id) }

// Remove implements runner.Pool.
func (a *Pool) Remove(id string) error { return a.p.Remove(id) }

// Snapshot implements runner.Pool.
func (a *Pool) Snapshot() runner.PoolSnapshot {
	s := Convert(a.p.Snapshot())
	if a.tp == nil {
		return s
	}
	ids := make(map[string]bool, len(s.Workers))
	for i := range s.Workers {
		w := &s.Workers[i]
		ids[w.ID] = true
		if v := a.tp.Speed(w.ID); v > 0 {
			w.Speed = v
		}
	}
	a.tp.retain(ids)
	return s
}

// Convert turns the load balancer's snapshot into the loop's.
//
// A worker's speed is the load balancer's learned per-request speed (units
// per second of one request at the concurrency the worker has been
// running). That is the worker's full-load speed only when it runs one
// request at a time, and less under concurrency: Pool.Snapshot replaces
// it with the measured throughput when it can.
func Convert(s proxy.Snapshot) runner.PoolSnapshot {
	out := runner.PoolSnapshot{
		Time:         s.Time,
		Workers:      make([]runner.Worker, 0, len(s.Workers)),
		QueuedUnits:  s.Queue.PredictedUnits,
		QueueLen:     s.Queue.Len,
		ArrivedUnits: s.Queue.ArrivedUnits,
	}
	for _, w := range s.Workers {
		aw := autoscaler.Worker{
			ID: w.ID, State: w.State, LaunchedAt: w.LaunchedAt,
			InFlight: w.InFlight, PredictedLeft: w.PredictedLeft,
			Speed: w.Speed, CPUPercent: w.CPUPercent,
		}
		if w.State == lifecycle.Unhealthy {
			aw.UnhealthySince = w.StateSince
		}
		out.Workers = append(out.Workers, runner.Worker{
			Worker:   aw,
			Address:  w.Address,
			Healthy:  !w.LastHealth.IsZero() && w.HealthError == "",
			MemoryMB: memoryMB(w.MemoryBytes),
			Sampled:  w.LastHealth,
		})
	}
	return out
}

// memoryMB converts a reported memory size to MiB; unknown stays -1.
func memoryMB(b int64) int64 {
	if b < 0 {
		return -1
	}
	return b >> 20
}
