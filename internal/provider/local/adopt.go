package local

import (
	"context"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// adoptPoll is how often start-up probes a recorded worker.
const adoptPoll = 50 * time.Millisecond

// adopt takes over the live workers recorded in the state directory and
// removes the files of those that are gone.
func (p *Provider) adopt(ctx context.Context) error {
	entries, err := p.files.scan()
	if err != nil {
		return err
	}
	p.next = max(p.next, p.files.loadNext())
	for _, e := range entries {
		if n, ok := idNumber(e.id); ok && n >= p.next {
			p.next = n + 1
		}
		if e.err != nil {
			// An empty file is an id reserved by a launch in progress; an
			// old unreadable one is left over.
			if time.Since(e.modTime) > p.cfg.StartTimeout+time.Minute {
				p.log.Warn("removing unreadable state file", "id", e.id, "err", e.err)
				if err := p.files.remove(e.id); err != nil {
					return err
				}
			}
			continue
		}
		r := e.rec
		if !alive(r.PID) || !isWorker(r.PID, r) {
			p.log.Info("removing stale state file", "id", r.ID, "pid", r.PID)
			if err := p.files.remove(r.ID); err != nil {
				return err
			}
			continue
		}
		st := p.awaitHealth(ctx, r)
		if st == lifecycle.Booting {
			p.log.Warn("recorded worker runs but does not answer /health; leaving it alone", "id", r.ID, "pid", r.PID, "address", r.Address)
			continue
		}
		p.workers[r.ID] = &worker{
			id:      r.ID,
			rec:     r,
			adopted: true,
			stopped: make(chan struct{}),
			state:   st,
		}
		p.log.Info("worker adopted", "id", r.ID, "pid", r.PID, "address", r.Address, "state", st)
	}
	return nil
}

// awaitHealth probes until the worker answers (Ready or Draining), the
// adopt timeout passes or ctx ends (Booting).
func (p *Provider) awaitHealth(ctx context.Context, r record) lifecycle.State {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.AdoptTimeout)
	defer cancel()
	t := time.NewTicker(adoptPoll)
	defer t.Stop()
	for {
		if st := p.probe.Probe(ctx, r.Address, r.ID); st != lifecycle.Booting {
			return st
		}
		select {
		case <-ctx.Done():
			return lifecycle.Booting
		case <-t.C:
		}
	}
}
