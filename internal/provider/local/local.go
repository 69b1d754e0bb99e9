package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/health"
	"github.com/specialvfx/vfx/internal/provider/owner"
)

// Name is the provider's name (`--provider local`).
const Name = "local"

// ErrClosed is returned by Launch after Close.
var ErrClosed = provider.ErrClosed

// Provider runs workers as local processes. It is safe for concurrent use.
// Call Close to terminate its workers and release its OS thread.
type Provider struct {
	cfg   Config
	files stateFiles
	log   *slog.Logger
	probe *health.Prober
	spawn *spawner
	lock  *owner.Lock // on the state directory, held until Close

	// stopRenewing ends the renewal of the workers' leases; renewing is
	// done once it has.
	stopRenewing context.CancelFunc
	renewing     chan struct{}

	// shut gates Launch: Close stops the launches in progress, waits for
	// them, then terminates every worker.
	shut provider.Shutdown

	launches provider.Launches // in progress

	mu      sync.Mutex
	workers map[string]*worker
	next    int // the next id number to try
}

var (
	_ provider.Provider = (*Provider)(nil)
	_ provider.Closer   = (*Provider)(nil)
)

// worker is one process, launched or adopted. Fields below mu are guarded
// by Provider.mu.
type worker struct {
	id      string
	rec     record
	adopted bool
	cmd     *exec.Cmd     // nil when adopted
	exited  chan struct{} // launched only: closed once the process is reaped
	stopped chan struct{} // closed when Terminate is done with it

	// guarded by Provider.mu
	exitErr     error
	state       lifecycle.State
	terminating bool
	diedAt      time.Time
}

func (w *worker) instance() provider.Instance {
	return provider.Instance{
		ID:         w.id,
		Address:    w.rec.Address,
		State:      w.state,
		LaunchedAt: w.rec.LaunchedAt,
		Adopted:    w.adopted,
	}
}

// LockPath is the owner's lock file of the state directory stateDir:
// owner.Peek tells who holds it.
func LockPath(stateDir string) string { return filepath.Join(stateDir, "local", "owner.lock") }

// New validates cfg, takes the state directory for cfg.Owner, adopts the
// live workers recorded there and returns the provider. While another
// provider (of this process or another) holds the state directory, New
// fails with an error wrapping owner.ErrOwned that names it; the lock of
// one that died is taken over.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	cfg, err := cfg.complete()
	if err != nil {
		return nil, err
	}
	files, err := newStateFiles(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	lock, err := owner.Acquire(LockPath(cfg.StateDir), "state directory "+cfg.StateDir, cfg.Owner)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		cfg:     cfg,
		files:   files,
		log:     cfg.Logger.With("provider", Name),
		probe:   health.NewProber(cfg.HealthTimeout, health.Lease{Holder: cfg.Owner.Holder(), Token: cfg.TokenValue()}),
		lock:    lock,
		workers: map[string]*worker{},
		next:    1,
	}
	if prev, ok := lock.Previous(); ok {
		p.log.Info("taking over the state directory from an owner that is gone", "state_dir", cfg.StateDir, "previous_owner", prev.String())
	}
	if err := p.adopt(ctx); err != nil {
		p.probe.Close()
		_ = lock.Release()
		return nil, err
	}
	p.spawn = newSpawner()
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stopRenewing, p.renewing = stop, make(chan struct{})
	go func() {
		defer close(p.renewing)
		p.probe.KeepRenewing(rctx, cfg.RenewInterval(), p.renewTargets, p.log)
	}()
	return p, nil
}

// renewTargets are the workers whose leases the provider renews: the live
// ones that are not being terminated.
func (p *Provider) renewTargets(context.Context) []health.Target {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]health.Target, 0, len(p.workers))
	for _, w := range p.workers {
		if w.state != lifecycle.Terminated && !w.terminating {
			out = append(out, health.Target{ID: w.id, Address: w.rec.Address})
		}
	}
	return out
}

// Launch starts n workers in parallel and returns them, Ready if their
// /health answered within the start timeout, else Booting. If some fail to
// start, it returns the ones that started together with an error.
func (p *Provider) Launch(ctx context.Context, n int) ([]provider.Instance, error) {
	if n < 1 {
		return nil, fmt.Errorf("launch %d workers: need at least 1", n)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	done, err := p.shut.Begin()
	if err != nil {
		return nil, fmt.Errorf("launch: %w", err)
	}
	defer done()
	// Counted and reserved under mu, which a launch holds to record its
	// worker: a worker is counted either live or starting, never neither.
	p.mu.Lock()
	live := 0
	for _, w := range p.workers {
		if w.state != lifecycle.Terminated {
			live++
		}
	}
	release, err := p.launches.Reserve(live, n, p.cfg.MaxWorkers)
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	defer release()

	return provider.LaunchEach(n, func(int) (provider.Instance, error) { return p.launchOne(ctx) })
}

// List reports every worker: launched, adopted, and those that died on
// their own within the retention period (as Terminated). Booting workers
// are probed once, with the health timeout.
func (p *Provider) List(ctx context.Context) ([]provider.Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	p.mu.Lock()
	ws := make([]*worker, 0, len(p.workers))
	for _, w := range p.workers {
		ws = append(ws, w)
	}
	p.mu.Unlock()

	var wg sync.WaitGroup
	for _, w := range ws {
		if p.reapIfDead(w, now) {
			continue
		}
		p.mu.Lock()
		booting := w.state == lifecycle.Booting && !w.terminating
		p.mu.Unlock()
		if booting {
			wg.Go(func() {
				st := p.probeWorker(ctx, w)
				p.mu.Lock()
				if w.state == lifecycle.Booting && !w.terminating && st != lifecycle.Booting {
					w.state = st
					p.log.Info("worker is "+st.String(), "id", w.id, "address", w.rec.Address)
				}
				p.mu.Unlock()
			})
		}
	}
	wg.Wait()

	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]provider.Instance, 0, len(p.workers))
	for id, w := range p.workers {
		if w.state == lifecycle.Terminated && !w.terminating && now.Sub(w.diedAt) > p.cfg.Retention {
			delete(p.workers, id)
			continue
		}
		out = append(out, w.instance())
	}
	sortInstances(out)
	return out, nil
}

// Terminate stops a worker: SIGTERM, a bounded wait (the stop timeout, or
// less if ctx ends first), then SIGKILL; it reaps the process and removes
// its state file. Terminating a worker that already died just forgets it.
func (p *Provider) Terminate(ctx context.Context, id string) error {
	p.mu.Lock()
	w := p.workers[id]
	if w == nil {
		p.mu.Unlock()
		return fmt.Errorf("terminate %s: %w", id, provider.ErrNotFound)
	}
	if w.terminating {
		p.mu.Unlock()
		select {
		case <-w.stopped:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("terminate %s: %w", id, ctx.Err())
		}
	}
	w.terminating = true
	if w.state != lifecycle.Terminated {
		w.state = lifecycle.Draining
	}
	p.mu.Unlock()

	err := p.stop(ctx, w)

	p.mu.Lock()
	if p.workers[id] == w {
		delete(p.workers, id)
	}
	w.state = lifecycle.Terminated
	p.mu.Unlock()
	if rerr := p.files.remove(id); rerr != nil {
		err = errors.Join(err, rerr)
	}
	close(w.stopped)
	if err != nil {
		return fmt.Errorf("terminate %s: %w", id, err)
	}
	p.log.Info("worker terminated", "id", id, "pid", w.rec.PID)
	return nil
}

// Close terminates every worker of the provider, launched or adopted, in
// parallel, and releases the provider's resources. Workers still running
// when ctx ends are killed. Close is idempotent.
func (p *Provider) Close(ctx context.Context) error {
	return p.shut.Close(func() error {
		p.mu.Lock()
		ids := make([]string, 0, len(p.workers))
		for id := range p.workers {
			ids = append(ids, id)
		}
		p.mu.Unlock()
		errs := make([]error, len(ids))
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				if err := p.Terminate(ctx, id); err != nil && !errors.Is(err, provider.ErrNotFound) {
					errs[i] = err
				}
			})
		}
		wg.Wait()
		p.stopRenewing()
		<-p.renewing
		p.spawn.stop()
		p.probe.Close()
		errs = append(errs, p.lock.Release())
		return errors.Join(errs...)
	})
}

// sortInstances orders by id number (local-2 before local-10).
func sortInstances(in []provider.Instance) {
	sort.Slice(in, func(i, j int) bool {
		a, _ := idNumber(in[i].ID)
		b, _ := idNumber(in[j].ID)
		return a < b
	})
}
