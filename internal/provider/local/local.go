package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sort"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/health"
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

// New validates cfg, adopts the live workers recorded in cfg.StateDir and
// returns the provider.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	cfg, err := cfg.complete()
	if err != nil {
		return nil, err
	}
	files, err := newStateFiles(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		cfg:     cfg,
		files:   files,
		log:     cfg.Logger.With("provider", Name),
		probe:   health.NewProber(cfg.HealthTimeout),
		workers: map[string]*worker{},
		next:    1,
	}
	if err := p.adopt(ctx); err != nil {
		p.probe.Close()
		return nil, err
	}
	p.spawn = newSpawner()
	return p, nil
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
		p.spawn.stop()
		p.probe.Close()
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
