package runner

import (
	"context"
	"errors"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
)

// act starts what decision d asks for. snap is the pool the decision was
// taken on: only workers it shows are drained (ready ones) or replaced.
func (r *Runner) act(ctx context.Context, now time.Time, d autoscaler.Decision, snap PoolSnapshot) {
	var byID map[string]Worker
	if len(d.Replace) > 0 || len(d.Drain) > 0 {
		byID = make(map[string]Worker, len(snap.Workers))
		for _, w := range snap.Workers {
			byID[w.ID] = w
		}
	}
	for _, id := range d.Replace {
		if _, ok := byID[id]; !ok {
			continue // a stand-in for a worker being launched
		}
		r.replace(ctx, id)
	}
	if d.Launch > 0 {
		r.launch(ctx, now, d.Launch, snap)
	}
	for _, id := range d.Drain {
		w, ok := byID[id]
		if !ok || w.State != lifecycle.Ready {
			r.log.Warn("not draining a worker that is not ready", "worker", id, "state", w.State)
			continue
		}
		r.drain(ctx, id, false)
	}
	// A draining worker nobody waits for (its termination failed, or it
	// was drained through the load balancer's admin API) is taken up.
	for _, w := range snap.Workers {
		if w.State == lifecycle.Draining {
			r.drain(ctx, w.ID, true)
		}
	}
}

// launch starts n workers in a goroutine. Until Launch returns they are
// stand-ins in the observations; then they join the pool, booting until
// their health checks pass.
func (r *Runner) launch(ctx context.Context, now time.Time, n int, snap PoolSnapshot) {
	r.mu.Lock()
	if now.Before(r.launchAfter) {
		r.mu.Unlock()
		r.log.Info("launch postponed after failed launches", "workers", n, "until", r.launchAfter)
		return
	}
	if r.outstanding == 0 {
		r.baseline = make(map[string]bool, len(snap.Workers))
		for _, w := range snap.Workers {
			r.baseline[w.ID] = true
		}
	}
	r.outstanding += n
	r.mu.Unlock()
	r.work.Go(func() {
		insts, err := r.prov.Launch(ctx, n)
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, inst := range insts {
			if err := r.pool.Add(inst); err != nil {
				r.log.Error("launched worker not added to the pool", "worker", inst.ID, "err", err)
			}
			r.baseline[inst.ID] = true
			r.log.Info("worker launched", "worker", inst.ID, "address", inst.Address)
		}
		r.counts.Launched += int64(len(insts))
		r.outstanding -= n
		if r.outstanding == 0 {
			r.baseline = nil
		}
		if err == nil {
			r.backoff = 0
			return
		}
		r.counts.LaunchFailures += int64(n - len(insts))
		if ctx.Err() != nil {
			return
		}
		r.backoff = min(max(2*r.backoff, r.cfg.Interval), r.maxBackoff)
		r.launchAfter = r.clock.Now().Add(r.backoff)
		r.log.Error("launch failed", "workers", n, "launched", len(insts), "retry_after", r.backoff, "err", err)
	})
}

// claim marks a worker as being drained or replaced; false if it already
// is.
func (r *Runner) claim(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.busy[id] {
		return false
	}
	r.busy[id] = true
	return true
}

func (r *Runner) release(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.busy, id)
}

// drain stops the load balancer sending the worker requests and, in a
// goroutine, waits for its requests in flight to finish (at most
// DrainTimeout), then terminates it and removes it from the pool. If ctx
// ends first the worker is left draining: the provider's Close terminates
// it. resume marks a worker found draining with nobody waiting for it (its
// termination failed, or an operator drained it).
func (r *Runner) drain(ctx context.Context, id string, resume bool) {
	if !r.claim(id) {
		return
	}
	if err := r.pool.Drain(id); err != nil {
		r.release(id)
		if !resume {
			r.log.Warn("drain failed", "worker", id, "err", err)
		}
		return
	}
	if resume {
		r.log.Info("taking up a draining worker nobody waits for (drained by an operator, or its termination failed)", "worker", id)
	} else {
		r.log.Info("worker draining", "worker", id, "timeout", r.loop.DrainTimeout)
	}
	r.work.Go(func() {
		defer r.release(id)
		start := r.clock.Now()
		timedOut, err := r.waitIdle(ctx, id)
		if ctx.Err() != nil {
			r.log.Info("stopped waiting for a draining worker", "worker", id)
			return
		}
		if err != nil {
			r.log.Warn("waiting for a draining worker failed; terminating it", "worker", id, "err", err)
		}
		if timedOut {
			r.log.Warn("drain timed out; terminating the worker with requests in flight", "worker", id, "timeout", r.loop.DrainTimeout)
		}
		if !r.terminate(ctx, id) {
			return
		}
		r.mu.Lock()
		if timedOut {
			r.counts.DrainTimeouts++
		} else {
			r.counts.Drained++
		}
		r.mu.Unlock()
		r.log.Info("worker drained and terminated", "worker", id, "drain", r.clock.Now().Sub(start))
	})
}

// waitIdle waits for the worker to finish its requests, at most
// DrainTimeout by the runner's clock.
func (r *Runner) waitIdle(ctx context.Context, id string) (timedOut bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.pool.WaitIdle(wctx, id) }()
	select {
	case err := <-done:
		return false, err
	case <-r.clock.After(r.loop.DrainTimeout):
		cancel()
		<-done
		return true, nil
	}
}

// replace terminates an unhealthy worker (the load balancer retries its
// requests elsewhere) and removes it from the pool; the decision's launch
// includes its replacement.
func (r *Runner) replace(ctx context.Context, id string) {
	if !r.claim(id) {
		return
	}
	if err := r.pool.Drain(id); err != nil {
		r.log.Warn("could not take an unhealthy worker out of rotation", "worker", id, "err", err)
	}
	r.work.Go(func() {
		defer r.release(id)
		if !r.terminate(ctx, id) {
			return
		}
		r.mu.Lock()
		r.counts.Replaced++
		r.mu.Unlock()
		r.log.Info("unhealthy worker terminated", "worker", id)
	})
}

// terminate terminates a worker through the provider and removes it from
// the pool. A worker the provider does not know any more is only removed.
// It reports whether the worker is gone.
func (r *Runner) terminate(ctx context.Context, id string) bool {
	if err := r.prov.Terminate(ctx, id); err != nil && !errors.Is(err, provider.ErrNotFound) {
		if ctx.Err() == nil {
			r.log.Error("terminate failed", "worker", id, "err", err)
		}
		return false
	}
	if err := r.pool.Remove(id); err != nil {
		r.log.Debug("worker already left the pool", "worker", id, "err", err)
	}
	return true
}
