package runner

import (
	"context"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
)

// Pool is the load balancer's pool of workers as the loop drives it.
type Pool interface {
	// Snapshot is the pool's state now.
	Snapshot() PoolSnapshot
	// Add makes a launched worker known; it gets requests once healthy.
	Add(inst provider.Instance) error
	// Drain stops sending new requests to a worker.
	Drain(id string) error
	// WaitIdle returns once the worker has no request in flight, or with
	// ctx's error.
	WaitIdle(ctx context.Context, id string) error
	// Remove forgets a worker.
	Remove(id string) error
}

// Provider launches and terminates workers (provider.Provider).
type Provider interface {
	Launch(ctx context.Context, n int) ([]provider.Instance, error)
	Terminate(ctx context.Context, id string) error
}

// Recorder keeps decisions in the metrics store (metrics.Recorder).
type Recorder interface {
	Decision(d metrics.Decision)
}

// PoolSnapshot is a value snapshot of the pool and of the load balancer's
// queue.
type PoolSnapshot struct {
	Time    time.Time
	Workers []Worker

	QueuedUnits float64 // predicted work units waiting in the queue
	QueueLen    int     // requests waiting in the queue

	// ArrivedUnits is the total of the predicted units of every request
	// that arrived since the load balancer started; the loop differences
	// two snapshots to get the arrivals between them.
	ArrivedUnits float64
}

// Worker is one worker of a PoolSnapshot: what the policy sees, plus what
// VMState.xml shows.
type Worker struct {
	autoscaler.Worker
	Address  string
	Healthy  bool      // the last health check passed
	MemoryMB int64     // memory used; negative = unknown
	Sampled  time.Time // when its state was last checked; zero = unknown
}
