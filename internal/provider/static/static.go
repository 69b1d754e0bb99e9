package static

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
)

// Name is the provider's name (`--provider static`).
const Name = "static"

// Provider serves a fixed list of worker addresses. It is safe for
// concurrent use.
type Provider struct {
	mu        sync.Mutex
	instances []provider.Instance
}

var _ provider.Provider = (*Provider)(nil)

// New validates the addresses (see ParseAddress; each item may itself be a
// comma-separated list, and problems are numbered across the whole list)
// and returns a provider listing them with IDs equal to their canonical
// addresses. since is reported as their launch time.
func New(addresses []string, since time.Time) (*Provider, error) {
	var items []string
	for _, a := range addresses {
		items = append(items, splitList(a)...)
	}
	list, err := parseAll(items)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errors.New("no worker addresses: give at least one with --workers URL[,URL]")
	}
	p := &Provider{}
	for _, a := range list {
		p.instances = append(p.instances, provider.Instance{
			ID:         a,
			Address:    a,
			State:      lifecycle.Ready,
			LaunchedAt: since,
			Adopted:    true,
		})
	}
	return p, nil
}

// Launch always fails: the pool is fixed.
func (p *Provider) Launch(_ context.Context, n int) ([]provider.Instance, error) {
	return nil, fmt.Errorf("launch %d: %w", n, provider.ErrFixed)
}

// Terminate forgets a worker. The worker process itself keeps running: it
// is not this provider's to stop. id may be the instance ID or any form of
// its address that ParseAddress accepts.
func (p *Provider) Terminate(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key := id
	if a, err := ParseAddress(id); err == nil {
		key = a
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, in := range p.instances {
		if in.ID == id || in.ID == key {
			p.instances = append(p.instances[:i:i], p.instances[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("terminate %q: %w", id, provider.ErrNotFound)
}

// List returns the remaining workers, all Ready.
func (p *Provider) List(ctx context.Context) ([]provider.Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]provider.Instance(nil), p.instances...), nil
}
