package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/autoscaler/statefile"
)

// Defaults of Options.
const (
	// DefaultVMStateInterval is how often VMState.xml is rewritten.
	DefaultVMStateInterval = 5 * time.Second
	// DefaultRecentDecisions is how many recorded decisions Snapshot
	// returns.
	DefaultRecentDecisions = 20
	// DefaultMaxLaunchBackoff bounds the wait after failed launches.
	DefaultMaxLaunchBackoff = time.Minute
)

// Options are what a Runner is built from. Config, Loop, Pool and Provider
// are required.
type Options struct {
	// Config is the autoscaler's configuration; Config.Policy names the
	// policy. It must be valid.
	Config autoscaler.Config
	// Loop is the loop's own configuration (DefaultConfig). It must be
	// valid.
	Loop Config
	// Policy decides; nil builds Config.Policy with autoscaler.New.
	Policy autoscaler.Policy

	Pool     Pool
	Provider Provider
	Recorder Recorder // nil: decisions are not stored
	Clock    Clock    // nil: SystemClock
	Log      *slog.Logger

	// VMStateInterval is how often VMState.xml is rewritten when
	// Loop.StateDir is set (default DefaultVMStateInterval).
	VMStateInterval time.Duration
	// RecentDecisions is how many recorded decisions Snapshot returns
	// (default DefaultRecentDecisions).
	RecentDecisions int
	// LogLimit is how many recorded decisions are kept for ASState.xml
	// (default statefile.DefaultLogLimit).
	LogLimit int
	// AllVMInstances also writes the original system's allVmInstances.xml
	// (its ready workers, in the original's format) beside VMState.xml
	// when Loop.StateDir is set.
	AllVMInstances bool
	// MaxLaunchBackoff bounds the wait before launching again after a
	// launch failed; the wait starts at Config.Interval and doubles with
	// each failure in a row (default DefaultMaxLaunchBackoff).
	MaxLaunchBackoff time.Duration
}

// Runner is the autoscaler's loop. Build it with New, run it with Run.
// Snapshot is safe to call at any time from any goroutine.
type Runner struct {
	cfg        autoscaler.Config
	loop       Config
	policy     autoscaler.Policy
	pool       Pool
	prov       Provider
	rec        Recorder
	clock      Clock
	log        *slog.Logger
	vmEvery    time.Duration
	allVM      bool
	recent     int
	maxBackoff time.Duration
	decisions  *statefile.DecisionLog

	// work tracks the goroutines of launches, drains and replacements.
	work sync.WaitGroup
	// stepMu serialises evaluations: a policy is not safe for concurrent
	// use.
	stepMu  sync.Mutex
	running sync.Mutex // held by Run

	// mu guards what follows, and cfg's Min and Max (SetBounds). It is
	// held while the pool is snapshotted and while a finished launch adds
	// its workers to the pool, so the two never interleave.
	mu          sync.Mutex
	outstanding int             // workers being launched
	baseline    map[string]bool // pool IDs known while launches are outstanding
	busy        map[string]bool // workers being drained or replaced
	lastArrived float64
	last        *statefile.Decision // latest evaluation
	lastEval    time.Time
	backoff     time.Duration
	launchAfter time.Time // no launch before this time (after failures)
	counts      Counts
}

// Counts are what the loop has done since it started.
type Counts struct {
	Evaluations    int64 `json:"evaluations"`
	Launched       int64 `json:"launched"`        // workers launched
	LaunchFailures int64 `json:"launch_failures"` // launches that failed (workers not started)
	Drained        int64 `json:"drained"`         // drained workers terminated after finishing their requests
	DrainTimeouts  int64 `json:"drain_timeouts"`  // drained workers terminated at the drain timeout with requests in flight
	Replaced       int64 `json:"replaced"`        // unhealthy workers terminated
}

// New checks o and builds a Runner.
func New(o Options) (*Runner, error) {
	var errs []error
	if o.Pool == nil {
		errs = append(errs, errors.New("pool: required"))
	}
	if o.Provider == nil {
		errs = append(errs, errors.New("provider: required"))
	}
	if err := o.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := o.Loop.Validate(); err != nil {
		errs = append(errs, err)
	}
	if o.VMStateInterval < 0 {
		errs = append(errs, fmt.Errorf("vmstate interval: must be ≥ 0, got %v", o.VMStateInterval))
	}
	if o.MaxLaunchBackoff < 0 {
		errs = append(errs, fmt.Errorf("max launch backoff: must be ≥ 0, got %v", o.MaxLaunchBackoff))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("autoscaler: %w", err)
	}
	if o.Policy == nil {
		p, err := autoscaler.New(o.Config.Policy, o.Config)
		if err != nil {
			return nil, fmt.Errorf("autoscaler: %w", err)
		}
		o.Policy = p
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.VMStateInterval == 0 {
		o.VMStateInterval = DefaultVMStateInterval
	}
	if o.RecentDecisions <= 0 {
		o.RecentDecisions = DefaultRecentDecisions
	}
	if o.MaxLaunchBackoff == 0 {
		o.MaxLaunchBackoff = DefaultMaxLaunchBackoff
	}
	return &Runner{
		cfg: o.Config, loop: o.Loop, policy: o.Policy, pool: o.Pool, prov: o.Provider, rec: o.Recorder,
		clock: o.Clock, log: o.Log.With("component", "autoscaler"),
		vmEvery: o.VMStateInterval, allVM: o.AllVMInstances, recent: o.RecentDecisions, maxBackoff: o.MaxLaunchBackoff,
		decisions: statefile.NewDecisionLog(o.LogLimit),
		busy:      map[string]bool{},
	}, nil
}

// Run evaluates the policy every Config.Interval (the first time one
// interval after it starts) and acts on its decisions until ctx ends. With
// Loop.StateDir set it creates the directory, writes both state files at
// once and rewrites VMState.xml every VMStateInterval. When ctx ends, Run
// stops waiting for draining workers (the provider's Close terminates
// them) and returns once its launches and drains have returned. It returns
// an error only when it cannot start.
func (r *Runner) Run(ctx context.Context) error {
	if !r.running.TryLock() {
		return errors.New("autoscaler: already running")
	}
	defer r.running.Unlock()
	var vm <-chan time.Time
	if r.loop.StateDir != "" {
		if err := os.MkdirAll(r.loop.StateDir, 0o755); err != nil {
			return fmt.Errorf("autoscaler: state dir: %w", err)
		}
		r.writeASState()
		r.writeVMState()
		vm = r.clock.After(r.vmEvery)
	}
	r.mu.Lock()
	r.lastArrived = r.pool.Snapshot().ArrivedUnits
	r.mu.Unlock()
	lo, hi := r.bounds()
	r.log.Info("autoscaler started", "policy", r.cfg.Policy, "min", lo, "max", hi, "interval", r.cfg.Interval)
	defer r.work.Wait()
	tick := r.clock.After(r.cfg.Interval)
	for {
		select {
		case <-ctx.Done():
			r.log.Info("autoscaler stopping")
			return nil
		case <-tick:
			r.Step(ctx)
			tick = r.clock.After(r.cfg.Interval)
		case <-vm:
			r.writeVMState()
			vm = r.clock.After(r.vmEvery)
		}
	}
}

// Step evaluates the policy once, now, and starts what the decision asks
// for: launches, drains and replacements run in goroutines of their own,
// bounded by ctx. It returns the decision as the state files show it (ID
// 0 when it changed nothing and was not recorded). Run calls Step every
// interval; tests call it directly.
func (r *Runner) Step(ctx context.Context) statefile.Decision {
	r.stepMu.Lock()
	defer r.stepMu.Unlock()
	snap, obs := r.observe()
	now := r.clock.Now()
	d := r.policy.Decide(now, obs)
	sd := statefile.NewDecision(now, r.cfg.Policy, obs.PoolSize(), d)
	if r.decisions.Add(sd) {
		ds := r.decisions.Decisions()
		sd = ds[len(ds)-1]
		r.record(sd)
	} else {
		r.log.Debug("autoscaling decision", decisionAttrs(sd)...)
	}
	r.mu.Lock()
	r.last, r.lastEval = &sd, now
	r.counts.Evaluations++
	r.mu.Unlock()
	r.act(ctx, now, d, snap)
	return sd
}
