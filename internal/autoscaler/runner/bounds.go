package runner

import (
	"errors"
	"fmt"

	"github.com/specialvfx/vfx/internal/autoscaler"
)

// ErrFixedBounds is returned by SetBounds when the policy cannot change
// its bounds while it runs (one that is not autoscaler.Bounded).
var ErrFixedBounds = errors.New("the policy cannot change its bounds while it runs")

// SetBounds changes the pool's bounds while the loop runs; the next
// evaluation keeps the pool within them. Bounds the configuration would
// refuse are refused, each problem naming its key (min, max), and nothing
// changes.
func (r *Runner) SetBounds(min, max int) error {
	b, ok := r.policy.(autoscaler.Bounded)
	if !ok {
		return fmt.Errorf("autoscaler policy %s: %w", r.cfg.Policy, ErrFixedBounds)
	}
	r.stepMu.Lock()
	defer r.stepMu.Unlock()
	r.mu.Lock()
	cfg := r.cfg
	cfg.Min, cfg.Max = min, max
	if err := cfg.Validate(); err != nil {
		r.mu.Unlock()
		return err
	}
	was := [2]int{r.cfg.Min, r.cfg.Max}
	r.cfg.Min, r.cfg.Max = min, max
	r.mu.Unlock()
	b.SetBounds(min, max)
	r.log.Info("autoscaler bounds changed", "min", min, "max", max, "was_min", was[0], "was_max", was[1])
	return nil
}

// bounds returns the pool's current bounds.
func (r *Runner) bounds() (min, max int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg.Min, r.cfg.Max
}
