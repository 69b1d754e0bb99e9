package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/workload"
)

// ErrUnknownWorker is returned for a worker ID the pool does not hold.
var ErrUnknownWorker = errors.New("unknown worker")

// Speeds learns how fast each worker works: units per second of wall time
// per request at the concurrency it runs (estimator.Speeds).
type Speeds interface {
	Observe(workerID string, units float64, wall time.Duration)
	Speed(workerID string) float64
}

// PoolOptions configure a Pool.
type PoolOptions struct {
	Config Config
	Policy balancer.Policy
	Speeds Speeds // nil: every speed unknown
	Now    func() time.Time
	Rand   *rand.Rand // for randomised policies; nil: seeded from the clock
	Log    *slog.Logger
}

// Pool holds the workers the load balancer routes to, their state and
// in-flight requests, and the queue of requests waiting for one. It is the
// autoscaler's view of the load balancer: Snapshot, Add, Remove, Drain and
// WaitIdle. All methods are safe for concurrent use.
type Pool struct {
	cfg    Config
	policy balancer.Policy
	speeds Speeds
	now    func() time.Time
	log    *slog.Logger

	mu       sync.Mutex
	rng      *rand.Rand
	workers  []*member // in the order they joined
	byID     map[string]*member
	queue    waitQueue
	arrivals arrivals
	closed   bool
	nextID   uint64
	scratch  []balancer.WorkerState
	left     []float64 // backs the snapshot's WorkerState.Left
}

// worker is the pool's record of one worker. Guarded by Pool.mu.
type member struct {
	id, addr   string
	state      lifecycle.State
	stateSince time.Time
	launchedAt time.Time
	adopted    bool

	flights     map[uint64]flight
	maxInFlight int     // reported by the worker's /status; 0 unknown
	cpu         float64 // reported CPU %, -1 unknown
	memory      int64   // reported resident memory in bytes, -1 unknown
	cores       float64 // reported by the worker's /status; 0 unknown

	// The service clock and the share of a core its requests got
	// (sharing.go).
	svc   float64
	svcAt time.Time
	share float64 // moving average; 0 until a request finished

	consecFail int // consecutive forwarding failures
	healthOK   int // consecutive passed health checks
	healthFail int // consecutive failed health checks
	lastHealth time.Time
	healthErr  string
	served     int64
	failed     int64
	idle       chan struct{} // closed when in-flight reaches 0 (WaitIdle)
	removed    bool

	// suspect: taken out of service (unhealthy) at its first timeout, a
	// health check or an attempt deadline, before the usual thresholds; it
	// returns to ready as soon as it answers again (suspect.go).
	suspect bool
	// unresponsive: its last health check timed out. stalled, when not
	// nil, is closed when it next times out or leaves the pool.
	unresponsive bool
	stalled      chan struct{}
}

// flight is one request in flight on a worker.
type flight struct {
	units float64
	start time.Time
	svc   float64       // the worker's service clock at start
	pred  time.Duration // predicted service needed (units / speed alone); 0 unknown
}

// NewPool returns an empty pool.
func NewPool(o PoolOptions) *Pool {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		seed := uint64(o.Now().UnixNano())
		o.Rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return &Pool{
		cfg: o.Config, policy: o.Policy, speeds: o.Speeds, now: o.Now, log: o.Log,
		rng: o.Rand, byID: map[string]*member{},
		arrivals: newArrivals(o.Now()),
	}
}

// Add makes a worker known to the pool. It starts booting and gets
// requests once its health checks pass; adding an ID the pool already
// holds updates its address and nothing else.
func (p *Pool) Add(inst provider.Instance) error {
	if inst.ID == "" || inst.Address == "" {
		return fmt.Errorf("add worker %q at %q: id and address are required", inst.ID, inst.Address)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.byID[inst.ID]; ok {
		w.addr = inst.Address
		return nil
	}
	now := p.now()
	launched := inst.LaunchedAt
	if launched.IsZero() {
		launched = now
	}
	w := &member{
		id: inst.ID, addr: inst.Address, state: lifecycle.Booting, stateSince: now,
		launchedAt: launched, adopted: inst.Adopted,
		flights: map[uint64]flight{}, cpu: -1, memory: -1,
	}
	p.workers = append(p.workers, w)
	p.byID[w.id] = w
	p.log.Info("worker joined", "worker", w.id, "address", w.addr, "state", w.state)
	return nil
}

// Remove forgets a worker. Its requests still in flight finish or fail on
// their own (a failure is retried on another worker).
func (p *Pool) Remove(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.byID[id]
	if !ok {
		return fmt.Errorf("remove %s: %w", id, ErrUnknownWorker)
	}
	delete(p.byID, id)
	for i, x := range p.workers {
		if x == w {
			p.workers = append(p.workers[:i], p.workers[i+1:]...)
			break
		}
	}
	w.removed = true
	w.stallLocked()
	if w.idle != nil {
		close(w.idle)
		w.idle = nil
	}
	p.log.Info("worker left", "worker", id, "in_flight", len(w.flights))
	return nil
}

// Drain stops sending new requests to a worker; the ones in flight go on.
// WaitIdle reports when they are done.
func (p *Pool) Drain(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.byID[id]
	if !ok {
		return fmt.Errorf("drain %s: %w", id, ErrUnknownWorker)
	}
	p.setStateLocked(w, lifecycle.Draining, "drain requested")
	return nil
}

// WaitIdle returns once the worker has no request in flight (or is no
// longer in the pool), or with ctx's error.
func (p *Pool) WaitIdle(ctx context.Context, id string) error {
	for {
		p.mu.Lock()
		w, ok := p.byID[id]
		if !ok || len(w.flights) == 0 {
			p.mu.Unlock()
			return nil
		}
		if w.idle == nil {
			w.idle = make(chan struct{})
		}
		ch := w.idle
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to finish its requests: %w", id, ctx.Err())
		}
	}
}

// IDs lists the workers in the pool in the order they joined.
func (p *Pool) IDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, len(p.workers))
	for i, w := range p.workers {
		ids[i] = w.id
	}
	return ids
}

// setStateLocked changes a worker's state and logs why. A change that
// lifecycle's table does not allow (a draining worker becoming anything
// but terminated, say) is a bug of the caller: it is logged at error level
// and not applied.
func (p *Pool) setStateLocked(w *member, s lifecycle.State, why string) {
	if w.state == s {
		return
	}
	if err := lifecycle.CheckTransition(w.state, s); err != nil {
		p.log.Error("worker state change refused", "worker", w.id, "from", w.state, "to", s, "reason", why, "err", err)
		return
	}
	p.log.Info("worker state", "worker", w.id, "from", w.state, "to", s, "reason", why)
	w.state = s
	w.stateSince = p.now()
	if s != lifecycle.Unhealthy {
		w.suspect = false
	}
	if s == lifecycle.Ready {
		w.consecFail = 0
		p.dispatchLocked()
	}
}

func (p *Pool) speed(id string) float64 {
	if p.speeds == nil {
		return 0
	}
	return p.speeds.Speed(id)
}

func (p *Pool) maxInFlightLocked(w *member) int {
	if p.cfg.MaxInFlight > 0 {
		return p.cfg.MaxInFlight
	}
	return w.maxInFlight
}

// Snapshot is the pool's state at one time.
type Snapshot struct {
	Time    time.Time    `json:"time"`
	Workers []WorkerInfo `json:"workers"`
	Queue   QueueInfo    `json:"queue"`
	// PredictedBacklog is the predicted work left in flight plus queued.
	PredictedBacklog float64 `json:"predicted_backlog_units"`
}

// WorkerInfo is one worker in a Snapshot.
type WorkerInfo struct {
	ID            string          `json:"id"`
	Address       string          `json:"address"`
	State         lifecycle.State `json:"state"`
	InFlight      int             `json:"in_flight"`
	MaxInFlight   int             `json:"max_in_flight"`  // 0 = no cap known
	PredictedLeft float64         `json:"predicted_left"` // units
	Speed         float64         `json:"speed"`          // units/s per request; 0 unknown
	CPUPercent    float64         `json:"cpu_percent"`    // -1 unknown
	MemoryBytes   int64           `json:"memory_bytes"`   // -1 unknown
	LaunchedAt    time.Time       `json:"launched_at"`
	StateSince    time.Time       `json:"state_since"`
	LastHealth    time.Time       `json:"last_health,omitzero"`
	HealthError   string          `json:"health_error,omitempty"`
	Adopted       bool            `json:"adopted,omitempty"`
	Served        int64           `json:"served"`
	Failed        int64           `json:"failed"`

	// Suspect: unhealthy since its first timeout (a health check or an
	// attempt deadline); it returns to ready as soon as it answers again.
	Suspect bool `json:"suspect,omitempty"`
}

// QueueInfo is the waiting queue in a Snapshot.
type QueueInfo struct {
	Len            int     `json:"len"`
	Cap            int     `json:"cap"`
	PredictedUnits float64 `json:"predicted_units"`
	// ArrivedUnits is the total of the predicted units of every request
	// that arrived since start: an autoscaler differences two snapshots to
	// get the arrivals between them.
	ArrivedUnits float64 `json:"arrived_units"`
	Arrived      int64   `json:"arrived"`
	// ArrivalRate is the predicted units that arrived per second over the
	// last ArrivalWindow.
	ArrivalRate float64 `json:"arrival_rate"`
}

// Snapshot returns the pool's state.
func (p *Pool) Snapshot() Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	s := Snapshot{Time: now, Workers: make([]WorkerInfo, 0, len(p.workers))}
	for _, w := range p.workers {
		speed := p.speed(w.id)
		left := p.predictedLeftLocked(w, now, nil)
		s.PredictedBacklog += left
		s.Workers = append(s.Workers, WorkerInfo{
			ID: w.id, Address: w.addr, State: w.state,
			InFlight: len(w.flights), MaxInFlight: p.maxInFlightLocked(w),
			PredictedLeft: left, Speed: speed, CPUPercent: w.cpu, MemoryBytes: w.memory,
			LaunchedAt: w.launchedAt, StateSince: w.stateSince,
			LastHealth: w.lastHealth, HealthError: w.healthErr, Suspect: w.suspect, Adopted: w.adopted,
			Served: w.served, Failed: w.failed,
		})
	}
	s.Queue = QueueInfo{
		Len: p.queue.len(), Cap: p.cfg.QueueLen, PredictedUnits: p.queue.units,
		ArrivedUnits: p.arrivals.totalUnits, Arrived: p.arrivals.total,
		ArrivalRate: p.arrivals.rate(now),
	}
	s.PredictedBacklog += p.queue.units
	return s
}

// CountByState returns how many workers are in each state, every state
// included.
func (s Snapshot) CountByState() map[lifecycle.State]int {
	states := lifecycle.States()
	m := make(map[lifecycle.State]int, len(states))
	for _, st := range states {
		m[st] = 0
	}
	for _, w := range s.Workers {
		m[w.State]++
	}
	return m
}

// request is what the pool routes: the balancer's view plus an ID for logs.
type request struct {
	id    string
	kind  workload.Kind
	units float64
	// hedge: the request is already running on the workers it excludes,
	// which must not get it again even when no other worker is live.
	hedge bool
}
