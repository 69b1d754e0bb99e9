package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/autoscaler/runner"
	"github.com/specialvfx/vfx/internal/config"
)

// autoscaleConfig is what the --autoscale-config file and the autoscaler's
// flags set: the policy's configuration and the loop's, whose keys share
// the file's one mapping.
type autoscaleConfig struct {
	Scaling autoscaler.Config `yaml:",inline"`
	Loop    runner.Config     `yaml:",inline"`
}

func defaultAutoscaleConfig() autoscaleConfig {
	return autoscaleConfig{Scaling: autoscaler.Default(), Loop: runner.DefaultConfig()}
}

// validate reports every problem of both configurations, each naming its
// key.
func (c autoscaleConfig) validate() error {
	if err := errors.Join(c.Scaling.Validate(), c.Loop.Validate()); err != nil {
		return fmt.Errorf("autoscaler config: %w", err)
	}
	return nil
}

// bindAutoscaleFlags registers the autoscaler's flags on fs, with c's
// current values as their defaults; parsing fs then sets c's fields. Keys
// without a flag are set in the --autoscale-config file.
func bindAutoscaleFlags(fs *pflag.FlagSet, c *autoscaleConfig) {
	s, l := &c.Scaling, &c.Loop
	fs.IntVar(&s.Min, "min", s.Min, "smallest worker pool size")
	fs.IntVar(&s.Max, "max", s.Max, "largest worker pool size (draining workers are not counted)")
	fs.StringVar(&s.Policy, "scale-policy", s.Policy, "autoscaling policy: "+strings.Join(autoscaler.Names(), ", "))
	fs.Float64Var(&s.TargetUtilization, "target-utilization", s.TargetUtilization, "share of a worker's speed the backlog policy plans to use, in (0, 1]")
	fs.DurationVar(&s.Interval, "scale-interval", s.Interval, "how often the autoscaler evaluates its policy")
	fs.DurationVar(&s.StableWindow, "stable-window", s.StableWindow, "long arrival-rate window; panic mode ends this long after its condition last held")
	fs.DurationVar(&s.PanicWindow, "panic-window", s.PanicWindow, "short arrival-rate window that triggers panic mode")
	fs.DurationVar(&s.BacklogHorizon, "backlog-horizon", s.BacklogHorizon, "time within which the backlog policy plans to finish the work in flight and queued")
	fs.DurationVar(&s.ScaleDownDelay, "scale-down-delay", s.ScaleDownDelay, "scale-down stabilisation window (cpu policy: cooldown between changes)")
	fs.DurationVar(&s.BootTime, "boot-time", s.BootTime, "expected time for a launched worker to become ready")
	fs.DurationVar(&l.DrainTimeout, "drain-timeout", l.DrainTimeout, "longest wait for a draining worker to finish before it is terminated")
	fs.StringVar(&l.StateDir, "state-dir", l.StateDir, "directory for VMState.xml and ASState.xml (empty: not written)")
}

// autoscaleFlags are the autoscaler's flags of the commands that run it
// (vfx up, vfx lb): those of bindAutoscaleFlags plus --autoscale-config
// and --all-vm-instances. Call config after the flags are parsed.
type autoscaleFlags struct {
	own  *pflag.FlagSet // the autoscaler's flags as bound
	file string
	// allVM asks for the original's allVmInstances.xml in the state
	// directory.
	allVM bool
	// added are the names of the flags registered on the command; a flag
	// the command already had (e.g. vfx up's own --state-dir) is left out
	// and the command supplies its value.
	added map[string]bool
}

// addAutoscaleFlags registers the autoscaler's flags on fs with
// defaultAutoscaleConfig() as their defaults. Flags fs already has keep
// their meaning.
func addAutoscaleFlags(fs *pflag.FlagSet) *autoscaleFlags {
	a := &autoscaleFlags{own: pflag.NewFlagSet("autoscaler", pflag.ContinueOnError), added: map[string]bool{}}
	cfg := defaultAutoscaleConfig()
	bindAutoscaleFlags(a.own, &cfg)
	a.own.VisitAll(func(f *pflag.Flag) {
		if fs.Lookup(f.Name) != nil {
			return
		}
		fs.AddFlag(f)
		a.added[f.Name] = true
	})
	pathVar(fs, &a.file, "autoscale-config", "YAML file of autoscaler settings (keys: min, max, policy, target_utilization, interval, …; flags override it)")
	fs.BoolVar(&a.allVM, "all-vm-instances", false, "also write the original system's allVmInstances.xml (the ready workers, in its format) beside VMState.xml")
	return a
}

// changedFlags lists the autoscaler flags given on the command line.
func changedFlags(fs *pflag.FlagSet, a *autoscaleFlags) []string {
	var names []string
	for name := range a.added {
		if f := fs.Lookup(name); f != nil && f.Changed {
			names = append(names, "--"+name)
		}
	}
	for _, name := range []string{"autoscale-config", "all-vm-instances"} {
		if f := fs.Lookup(name); f != nil && f.Changed {
			names = append(names, "--"+name)
		}
	}
	slices.Sort(names)
	return names
}

// config is the autoscaler's configuration: defaultAutoscaleConfig(),
// overlaid by the --autoscale-config file, then by the flags given on the
// command line; stateDir is where the state files go unless the file or a
// --state-dir flag of the autoscaler's own says otherwise. It is
// validated.
func (a *autoscaleFlags) config(stateDir string) (autoscaleConfig, error) {
	cfg := defaultAutoscaleConfig()
	if a.file != "" {
		fc, err := config.Load(a.file, cfg)
		if err != nil {
			return cfg, fmt.Errorf("autoscaler config: %w", err)
		}
		cfg = fc
	}
	if cfg.Loop.StateDir == "" {
		cfg.Loop.StateDir = stateDir
	}
	// Re-apply the flags set on the command line over the file.
	fs := pflag.NewFlagSet("autoscaler", pflag.ContinueOnError)
	bindAutoscaleFlags(fs, &cfg)
	var errs []error
	a.own.VisitAll(func(f *pflag.Flag) {
		if !a.added[f.Name] || !f.Changed {
			return
		}
		if err := fs.Set(f.Name, f.Value.String()); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", f.Name, err))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}
