package autoscaler

// Bounded is a policy whose pool bounds can change while it runs, keeping
// its windows: from the next Decide on, its target stays within the new
// Min and Max (a lower Max drains workers, MaxScaleDownStep per
// evaluation; a higher Min launches them). Every policy of Policies is
// Bounded. The caller validates the bounds (Config.Validate).
type Bounded interface {
	Policy
	SetBounds(min, max int)
}

// SetBounds implements Bounded.
func (b *backlog) SetBounds(min, max int) {
	b.cfg.Min, b.cfg.Max = min, max
	b.panicMax = clampInt(b.panicMax, 0, max)
}

// SetBounds implements Bounded.
func (c *cpuPolicy) SetBounds(min, max int) { c.cfg.Min, c.cfg.Max = min, max }

// SetBounds implements Bounded.
func (f *fixed) SetBounds(min, max int) { f.cfg.Min, f.cfg.Max = min, max }
