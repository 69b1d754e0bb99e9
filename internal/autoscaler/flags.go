package autoscaler

import "github.com/spf13/pflag"

// BindFlags registers the command-line flags of the autoscaler on fs, with
// c's current values as their defaults; parsing fs then sets c's fields.
// Keys without a flag are set in the YAML file (see LoadFile).
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.IntVar(&c.Min, "min", c.Min, "smallest worker pool size")
	fs.IntVar(&c.Max, "max", c.Max, "largest worker pool size (draining workers are not counted)")
	fs.StringVar(&c.Policy, "scale-policy", c.Policy, "autoscaling policy: "+namesList())
	fs.Float64Var(&c.TargetUtilization, "target-utilization", c.TargetUtilization, "share of a worker's speed the backlog policy plans to use, in (0, 1]")
	fs.DurationVar(&c.Interval, "scale-interval", c.Interval, "how often the autoscaler evaluates its policy")
	fs.DurationVar(&c.StableWindow, "stable-window", c.StableWindow, "long arrival-rate window; panic mode ends this long after its condition last held")
	fs.DurationVar(&c.PanicWindow, "panic-window", c.PanicWindow, "short arrival-rate window that triggers panic mode")
	fs.DurationVar(&c.BacklogHorizon, "backlog-horizon", c.BacklogHorizon, "time within which the backlog policy plans to finish the work in flight and queued")
	fs.DurationVar(&c.ScaleDownDelay, "scale-down-delay", c.ScaleDownDelay, "scale-down stabilisation window (cpu policy: cooldown between changes)")
	fs.DurationVar(&c.BootTime, "boot-time", c.BootTime, "expected time for a launched worker to become ready")
	fs.DurationVar(&c.DrainTimeout, "drain-timeout", c.DrainTimeout, "longest wait for a draining worker to finish before it is terminated")
	fs.StringVar(&c.StateDir, "state-dir", c.StateDir, "directory for VMState.xml and ASState.xml (empty: not written)")
}
