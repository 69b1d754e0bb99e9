package proxy

import (
	"context"
	"fmt"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
)

// Lister lists a provider's worker instances (provider.Provider's List).
type Lister interface {
	List(ctx context.Context) ([]provider.Instance, error)
}

// Sync makes the pool follow the provider's list: new instances join as
// booting, instances that are gone or terminated leave.
func (p *Pool) Sync(ctx context.Context, l Lister) error {
	insts, err := l.List(ctx)
	if err != nil {
		return fmt.Errorf("list workers: %w", err)
	}
	seen := make(map[string]bool, len(insts))
	for _, inst := range insts {
		if inst.State == lifecycle.Terminated {
			continue
		}
		seen[inst.ID] = true
		if err := p.Add(inst); err != nil {
			p.log.Warn("provider listed a bad instance", "err", err)
		}
	}
	for _, id := range p.IDs() {
		if !seen[id] {
			_ = p.Remove(id)
		}
	}
	return nil
}

// RunSync calls Sync every SyncInterval until ctx ends, logging failures.
func (p *Pool) RunSync(ctx context.Context, l Lister) {
	t := time.NewTicker(p.cfg.SyncInterval)
	defer t.Stop()
	for {
		if err := p.Sync(ctx, l); err != nil && ctx.Err() == nil {
			p.log.Warn("worker sync failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
