package autoscaler

import (
	"fmt"
	"time"
)

// fixed keeps Min workers (Max is not used), replacing failed ones and
// draining any extra ready worker, MaxScaleDownStep per evaluation.
type fixed struct {
	cfg    Config
	clock  clock
	health unhealthyClock
	s      scratch
}

func newFixed(cfg Config) *fixed { return &fixed{cfg: cfg} }

// Decide implements Policy.
func (f *fixed) Decide(now time.Time, obs Observation) Decision {
	now = f.clock.advance(now)
	p := f.s.classify(now, obs, f.cfg, &f.health)
	return p.decision(f.cfg.Min, f.cfg.MaxScaleDownStep, false, fmt.Sprintf("fixed pool of %d", f.cfg.Min))
}
