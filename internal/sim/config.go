package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
)

// NoScaling names the absence of an autoscaler: the pool keeps its
// initial workers (failed ones are not replaced).
const NoScaling = "none"

// Config configures one simulated run: one routing policy and one scaling
// policy over one pool.
type Config struct {
	// Routing is the balancer policy (balancer.Names).
	Routing string
	// Scaling is the autoscaler policy (autoscaler.Names) or NoScaling.
	// The fixed policy keeps Workers workers.
	Scaling string
	// Autoscaler configures the scaling policy; its Policy field is
	// ignored, its Interval is also the sampling interval of the series.
	Autoscaler autoscaler.Config

	// Workers is the pool at the start, ready at time 0.
	Workers int
	// Speed is a worker's speed in ray-tracer equivalent work units per
	// second at full load (see UnitCosts), shared among its in-flight
	// requests.
	Speed float64
	// CPUs > 0 gives each worker a CPU quota as Docker's --cpus does: each
	// request runs on a core of its own at Speed (then the speed of one
	// core), at most Cores at once, until the worker has used CPUs ×
	// CPUPeriod core-seconds in the current period; then it waits for the
	// next period. Short requests run at a whole core, long ones at CPUs
	// cores on average.
	CPUs      float64
	Cores     int
	CPUPeriod time.Duration
	// BootDelay is how long a launched worker takes to become ready.
	BootDelay time.Duration
	// MaxInFlight is a worker's concurrency limit (0 = unlimited).
	MaxInFlight int

	// QueueLen bounds the load balancer's queue; a request arriving at a
	// full queue is refused (503).
	QueueLen int
	// QueueTimeout is the longest a request waits in the queue (then 503).
	QueueTimeout time.Duration
	// QueueOrder is the order queued requests get workers in, the load
	// balancer's (balancer.QueueOrder); QueueAging is its aging bound
	// under balancer.QueueSPF.
	QueueOrder balancer.QueueOrder
	QueueAging time.Duration
	// MaxRetries is how many times a request whose worker died is retried.
	MaxRetries int
	// RetryBackoff is the wait before the first retry, doubled for each
	// further one.
	RetryBackoff time.Duration
	// ProgressFloor is the share of a request's prediction the load
	// balancer assumes is still left however long it has run.
	ProgressFloor float64

	// Overhead is added to every request's latency for what happens
	// outside a worker's compute: the network, the load balancer, decoding
	// and encoding (OverheadOf measures it from a trace).
	Overhead time.Duration

	// SLO is the latency target of the SLO attainment.
	SLO time.Duration
	// Failures are the workers that die during the run.
	Failures []Failure
	// Seed seeds the randomness (the p2c policy, failures of unnamed
	// workers).
	Seed uint64
	// Estimator configures the cost estimator.
	Estimator estimator.Options
	// UnitCosts weigh each workload's units into ray-tracer equivalents
	// (nil: DefaultUnitCosts).
	UnitCosts UnitCosts
}

// Failure is a worker dying at a time.
type Failure struct {
	At time.Duration
	// Worker is the ID of the worker that dies (w1, w2, … in launch
	// order); empty means a ready worker drawn at random.
	Worker string
}

// Default returns a configuration with the load balancer's and the
// worker's defaults: the cost policy, the backlog autoscaler, a queue of
// 256 served smallest predicted first with 2 s aging, 4 requests at once
// per worker.
func Default() Config {
	as := autoscaler.Default()
	return Config{
		Routing:       balancer.DefaultPolicy,
		Scaling:       "backlog",
		Autoscaler:    as,
		Workers:       1,
		Speed:         autoscaler.DefaultSpeed,
		BootDelay:     as.BootTime,
		MaxInFlight:   4,
		Cores:         2,
		CPUPeriod:     100 * time.Millisecond,
		QueueLen:      256,
		QueueTimeout:  60 * time.Second,
		QueueOrder:    balancer.QueueSPF,
		QueueAging:    balancer.DefaultQueueAging,
		MaxRetries:    3,
		RetryBackoff:  50 * time.Millisecond,
		ProgressFloor: 0.1,
		SLO:           2 * time.Second,
		Estimator:     estimator.DefaultOptions(),
	}
}

// MaxWorkers bounds the pool of a simulation.
const MaxWorkers = autoscaler.MaxWorkersLimit

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if _, err := balancer.New(c.Routing); err != nil {
		bad("routing", "%w", err)
	}
	if c.Scaling != NoScaling {
		if _, err := autoscaler.New(c.Scaling, c.scalerConfig()); err != nil {
			bad("scaling", "%w", err)
		}
	}
	if c.Autoscaler.Interval <= 0 {
		bad("interval", "must be > 0, got %v", c.Autoscaler.Interval)
	}
	if c.Workers < 0 || c.Workers > MaxWorkers {
		bad("workers", "must be in [0, %d], got %d", MaxWorkers, c.Workers)
	}
	if c.Workers == 0 && c.Scaling == NoScaling {
		bad("workers", "must be ≥ 1 without an autoscaler")
	}
	if !(c.Speed > 0) || math.IsInf(c.Speed, 0) {
		bad("speed", "must be a finite number > 0, got %v", c.Speed)
	}
	if c.CPUs < 0 || math.IsInf(c.CPUs, 0) || math.IsNaN(c.CPUs) {
		bad("cpus", "must be a finite number ≥ 0, got %v", c.CPUs)
	}
	if c.CPUs > 0 && c.Cores < 1 {
		bad("cores", "must be ≥ 1 with a CPU quota, got %d", c.Cores)
	}
	if c.CPUs > 0 && c.CPUPeriod <= 0 {
		bad("cpu_period", "must be > 0 with a CPU quota, got %v", c.CPUPeriod)
	}
	if c.BootDelay < 0 {
		bad("boot_delay", "must be ≥ 0, got %v", c.BootDelay)
	}
	if c.MaxInFlight < 0 {
		bad("max_inflight", "must be ≥ 0, got %d", c.MaxInFlight)
	}
	if c.QueueLen < 0 {
		bad("queue_len", "must be ≥ 0, got %d", c.QueueLen)
	}
	if c.QueueTimeout <= 0 {
		bad("queue_timeout", "must be > 0, got %v", c.QueueTimeout)
	}
	if c.QueueOrder != balancer.QueueSPF && c.QueueOrder != balancer.QueueFIFO {
		bad("queue_order", "must be spf or fifo, got %v", c.QueueOrder)
	}
	if c.QueueAging < 0 {
		bad("queue_aging", "must be ≥ 0, got %v", c.QueueAging)
	}
	if c.MaxRetries < 0 || c.MaxRetries > 100 {
		bad("max_retries", "must be in [0, 100], got %d", c.MaxRetries)
	}
	if c.RetryBackoff < 0 {
		bad("retry_backoff", "must be ≥ 0, got %v", c.RetryBackoff)
	}
	if !(c.ProgressFloor >= 0 && c.ProgressFloor <= 1) {
		bad("progress_floor", "must be in [0, 1], got %v", c.ProgressFloor)
	}
	if c.Overhead < 0 {
		bad("overhead", "must be ≥ 0, got %v", c.Overhead)
	}
	if c.SLO <= 0 {
		bad("slo", "must be > 0, got %v", c.SLO)
	}
	for i, f := range c.Failures {
		if f.At < 0 {
			bad(fmt.Sprintf("failures[%d]", i), "time must be ≥ 0, got %v", f.At)
		}
	}
	if err := c.Estimator.Validate(); err != nil {
		bad("estimator", "%w", err)
	}
	return errors.Join(errs...)
}

// scalerConfig is the autoscaler's configuration for this run: the fixed
// policy keeps Workers, and Max is at least Workers.
func (c Config) scalerConfig() autoscaler.Config {
	as := c.Autoscaler
	as.Policy = c.Scaling
	if c.Scaling == "fixed" {
		as.Min = max(c.Workers, 1)
	}
	as.Max = max(as.Max, as.Min, c.Workers)
	return as
}

// ScalingNames lists the scaling policies a Config accepts.
func ScalingNames() []string { return append(slices.Clone(autoscaler.Names()), NoScaling) }
