package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

const (
	// killWait bounds the wait for a process to vanish after SIGKILL.
	killWait = 5 * time.Second
	// gonePoll is how often an adopted worker's pid is checked.
	gonePoll = 20 * time.Millisecond
)

// stop sends SIGTERM, waits up to the stop timeout (or until ctx ends) and
// then kills the worker.
func (p *Provider) stop(ctx context.Context, w *worker) error {
	if p.gone(w) {
		return nil
	}
	if err := p.signal(w, syscall.SIGTERM); err != nil {
		return fmt.Errorf("sigterm: %w", err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, p.cfg.StopTimeout)
	defer cancel()
	if p.waitGone(stopCtx, w) {
		return nil
	}
	p.log.Warn("worker did not stop in time, killing it", "id", w.id, "pid", w.rec.PID, "stop_timeout", p.cfg.StopTimeout)
	if err := p.signal(w, syscall.SIGKILL); err != nil {
		return fmt.Errorf("sigkill: %w", err)
	}
	killCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), killWait)
	defer cancel()
	if !p.waitGone(killCtx, w) {
		return fmt.Errorf("pid %d still running after SIGKILL", w.rec.PID)
	}
	return ctx.Err() // nil unless the caller's deadline cut the grace period
}

// signal sends sig to the worker process.
func (p *Provider) signal(w *worker, sig syscall.Signal) error {
	if w.cmd != nil {
		err := w.cmd.Process.Signal(sig)
		if errors.Is(err, os.ErrProcessDone) {
			return nil
		}
		return err
	}
	_, err := signalWorker(w.rec.PID, w.rec, sig)
	return err
}

// gone reports whether the worker process has exited. An adopted one is
// gone once it is no process, a zombie, or another program (a recycled
// pid); while it exits, its command line reads empty, but it is not gone
// yet.
func (p *Provider) gone(w *worker) bool {
	if w.exited != nil {
		select {
		case <-w.exited:
			return true
		default:
			return false
		}
	}
	pid := w.rec.PID
	return !alive(pid) || !exiting(pid) && !isWorker(pid, w.rec)
}

// waitGone waits for the worker to exit; false if ctx ended first.
func (p *Provider) waitGone(ctx context.Context, w *worker) bool {
	if w.exited != nil {
		select {
		case <-w.exited:
			return true
		case <-ctx.Done():
			return false
		}
	}
	t := time.NewTicker(gonePoll)
	defer t.Stop()
	for !p.gone(w) {
		select {
		case <-ctx.Done():
			return p.gone(w)
		case <-t.C:
		}
	}
	return true
}

// reapIfDead marks a worker that exited on its own as Terminated, removes
// its state file and reports whether it is dead. It never restarts it.
func (p *Provider) reapIfDead(w *worker, now time.Time) bool {
	p.mu.Lock()
	if w.state == lifecycle.Terminated {
		p.mu.Unlock()
		return true
	}
	if w.terminating {
		p.mu.Unlock()
		return false
	}
	p.mu.Unlock()
	if !p.gone(w) {
		return false
	}
	p.mu.Lock()
	if w.terminating || w.state == lifecycle.Terminated {
		p.mu.Unlock()
		return true
	}
	w.state = lifecycle.Terminated
	w.diedAt = now
	exitErr := w.exitErr
	p.mu.Unlock()
	p.log.Warn("worker exited on its own; not restarting it", "id", w.id, "pid", w.rec.PID, "err", exitErr)
	if err := p.files.remove(w.id); err != nil {
		p.log.Warn("cannot remove state file", "id", w.id, "err", err)
	}
	return true
}

// probeWorker asks the worker's /health.
func (p *Provider) probeWorker(ctx context.Context, w *worker) lifecycle.State {
	return p.probe.Probe(ctx, w.rec.Address, w.id)
}
