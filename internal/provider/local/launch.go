package local

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
)

// startPoll is how often Launch probes a starting worker.
const startPoll = 25 * time.Millisecond

// launchOne reserves an id and starts one worker, trying another port when
// the worker exits during start-up.
func (p *Provider) launchOne(ctx context.Context) (provider.Instance, error) {
	p.mu.Lock()
	from := p.next
	p.mu.Unlock()
	id, n, err := p.files.reserve(from)
	if err != nil {
		return provider.Instance{}, err
	}
	p.mu.Lock()
	p.next = max(p.next, n+1)
	p.mu.Unlock()

	var errs []error
	for attempt := 1; attempt <= p.cfg.PortAttempts; attempt++ {
		w, err := p.start(id)
		if err != nil {
			errs = append(errs, err)
			break // not a port problem: another try would fail the same way
		}
		if p.waitStart(ctx, w) {
			inst := p.instanceOf(w)
			p.log.Info("worker launched", "id", id, "pid", w.rec.PID, "address", w.rec.Address, "state", inst.State)
			return inst, nil
		}
		p.mu.Lock()
		exitErr := w.exitErr
		if p.workers[id] == w {
			delete(p.workers, id)
		}
		p.mu.Unlock()
		err = fmt.Errorf("worker %s exited during start-up on %s (%v); log %s: %s",
			id, w.rec.Address, exitErr, p.files.logPath(id), p.files.logTail(id, 3))
		p.log.Warn("worker exited during start-up", "id", id, "address", w.rec.Address, "attempt", attempt, "err", exitErr)
		errs = append(errs, err)
	}
	if err := p.files.remove(id); err != nil {
		errs = append(errs, err)
	}
	return provider.Instance{}, fmt.Errorf("launch %s: %w", id, errors.Join(errs...))
}

// start starts the worker process for id on a free port, records it and
// tracks it.
func (p *Provider) start(id string) (*worker, error) {
	port, err := p.cfg.pickPort()
	if err != nil {
		return nil, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"worker", "--listen", listen, "--id", id}
	if p.cfg.Store != "" {
		args = append(args, "--store", p.cfg.Store)
	}
	if !p.cfg.Detach {
		args = append(args, "--exit-with-parent", "--lease-timeout", p.cfg.LeaseTimeout.String())
	}
	args = append(args, p.cfg.Args...)
	cmd := exec.Command(p.cfg.Binary, args...)
	if len(p.cfg.Env) > 0 {
		cmd.Env = append(os.Environ(), p.cfg.Env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if !p.cfg.Detach && !p.cfg.noDeathSignal {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	}
	logf, err := os.OpenFile(p.files.logPath(id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open worker log: %w", err)
	}
	defer logf.Close() // the child has its own descriptor
	now := time.Now()
	fmt.Fprintf(logf, "--- %s: starting %s on %s\n", now.Format(time.RFC3339), id, listen)
	cmd.Stdout, cmd.Stderr = logf, logf

	select {
	case <-p.shut.Stopping():
		return nil, ErrClosed
	default:
	}
	p.mu.Lock()
	if err := p.spawn.start(cmd); err != nil {
		p.mu.Unlock()
		return nil, fmt.Errorf("start %s: %w", p.cfg.Binary, err)
	}
	w := &worker{
		id: id,
		rec: record{
			ID:         id,
			PID:        cmd.Process.Pid,
			Address:    "http://" + listen,
			LaunchedAt: now.UTC(),
			Binary:     p.cfg.Binary,
		},
		cmd:     cmd,
		exited:  make(chan struct{}),
		stopped: make(chan struct{}),
		state:   lifecycle.Booting,
	}
	p.workers[id] = w
	p.mu.Unlock()

	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		w.exitErr = err
		p.mu.Unlock()
		close(w.exited)
	}()
	if err := p.files.write(w.rec); err != nil {
		// The worker runs and is tracked; only adoption after a restart
		// is lost.
		p.log.Warn("cannot record worker", "id", id, "err", err)
	}
	return w, nil
}

// waitStart waits until the worker answers /health (Ready), the start
// timeout passes, ctx ends or the provider closes (Booting). It returns
// false if the worker exited in the meantime.
func (p *Provider) waitStart(ctx context.Context, w *worker) bool {
	deadline := time.NewTimer(p.cfg.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(startPoll)
	defer tick.Stop()
	for {
		select {
		case <-w.exited:
			return false
		default:
		}
		if st := p.probeWorker(ctx, w); st == lifecycle.Ready {
			p.mu.Lock()
			if w.state == lifecycle.Booting && !w.terminating {
				w.state = lifecycle.Ready
			}
			p.mu.Unlock()
			return true
		}
		select {
		case <-w.exited:
			return false
		case <-deadline.C:
			return true
		case <-ctx.Done():
			return true
		case <-p.shut.Stopping():
			return true
		case <-tick.C:
		}
	}
}

func (p *Provider) instanceOf(w *worker) provider.Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	return w.instance()
}

// freePort asks the kernel for a free port on 127.0.0.1. Another process
// may take it before the worker binds it; Launch then tries another.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}
