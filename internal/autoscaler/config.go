package autoscaler

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// MaxWorkersLimit bounds Config.Max: a pool larger than this is almost
// certainly a typing mistake.
const MaxWorkersLimit = 100000

// DefaultSpeed is the speed assumed for a worker whose speed has not been
// learned yet, in work units per second at full load: about what one
// worker with two cores does on the ray tracer (rays traced plus
// ray–shape intersection tests) and on blur (kernel taps).
const DefaultSpeed = 50e6

// Config configures every policy. Each policy documents the fields it uses.
type Config struct {
	Min    int    `yaml:"min"`    // smallest pool size
	Max    int    `yaml:"max"`    // largest pool size (draining workers are not counted)
	Policy string `yaml:"policy"` // backlog, cpu or fixed

	// TargetUtilization is the share of a worker's speed the backlog policy
	// plans to use, in (0, 1].
	TargetUtilization float64 `yaml:"target_utilization"`
	// Interval is how often the loop evaluates the policy; it is also the
	// span assumed for the arrivals of the first observation.
	Interval time.Duration `yaml:"interval"`
	// StableWindow is the backlog policy's long arrival-rate window and how
	// long panic mode lasts after its condition last held; the cpu policy
	// scales in only after CPU stayed low this long.
	StableWindow time.Duration `yaml:"stable_window"`
	// PanicWindow is the backlog policy's short arrival-rate window.
	PanicWindow time.Duration `yaml:"panic_window"`
	// PanicThreshold: the backlog policy panics when the demand over the
	// panic window reaches this many times the ready capacity.
	PanicThreshold float64 `yaml:"panic_threshold"`
	// BacklogHorizon is the time within which the backlog policy plans to
	// finish the work in flight and queued.
	BacklogHorizon time.Duration `yaml:"backlog_horizon"`
	// ScaleDownDelay is the backlog policy's scale-down stabilisation
	// window (the target is the largest recommendation over it) and the
	// cpu policy's cooldown between two changes.
	ScaleDownDelay time.Duration `yaml:"scale_down_delay"`
	// MaxScaleDownStep is the most workers drained in one evaluation.
	MaxScaleDownStep int `yaml:"max_scale_down_step"`
	// BootTime is how long a worker is expected to take to become ready; a
	// worker still booting after BootTime+ReplaceAfter is replaced.
	BootTime time.Duration `yaml:"boot_time"`
	// ReplaceAfter is how long a worker may stay unhealthy before it is
	// replaced.
	ReplaceAfter time.Duration `yaml:"replace_after"`
	// CPUHigh and CPULow are the cpu policy's thresholds in percent.
	CPUHigh float64 `yaml:"cpu_high"`
	CPULow  float64 `yaml:"cpu_low"`
	// DefaultSpeed is the speed in work units per second assumed for a
	// worker when no speed is known.
	DefaultSpeed float64 `yaml:"default_speed"`
}

// Default returns the default configuration.
func Default() Config {
	return Config{
		Min:               1,
		Max:               4,
		Policy:            "backlog",
		TargetUtilization: 0.7,
		Interval:          2 * time.Second,
		StableWindow:      60 * time.Second,
		PanicWindow:       6 * time.Second,
		PanicThreshold:    2.0,
		BacklogHorizon:    10 * time.Second,
		ScaleDownDelay:    30 * time.Second,
		MaxScaleDownStep:  1,
		BootTime:          5 * time.Second,
		ReplaceAfter:      10 * time.Second,
		CPUHigh:           50,
		CPULow:            15,
		DefaultSpeed:      DefaultSpeed,
	}
}

// Validate reports every problem of the configuration at once, each naming
// its field.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if c.Min < 0 {
		bad("min", "must be ≥ 0, got %d", c.Min)
	}
	if c.Min == 0 && (c.Policy == "cpu" || c.Policy == "fixed") {
		bad("min", "must be ≥ 1 for the %s policy, got 0", c.Policy)
	}
	switch {
	case c.Max < 1:
		bad("max", "must be ≥ 1, got %d", c.Max)
	case c.Max < c.Min:
		bad("max", "must be ≥ min (%d), got %d", c.Min, c.Max)
	case c.Max > MaxWorkersLimit:
		bad("max", "must be ≤ %d, got %d", MaxWorkersLimit, c.Max)
	}
	if _, ok := Policies()[c.Policy]; !ok {
		bad("policy", "unknown policy %q (want one of: %s)", c.Policy, namesList())
	}
	if !(c.TargetUtilization > 0 && c.TargetUtilization <= 1) {
		bad("target_utilization", "must be in (0, 1], got %v", c.TargetUtilization)
	}
	positive := []struct {
		field string
		d     time.Duration
	}{
		{"interval", c.Interval},
		{"stable_window", c.StableWindow},
		{"panic_window", c.PanicWindow},
		{"backlog_horizon", c.BacklogHorizon},
	}
	for _, p := range positive {
		if p.d <= 0 {
			bad(p.field, "must be > 0, got %v", p.d)
		}
	}
	if c.PanicWindow > 0 && c.StableWindow > 0 && c.PanicWindow > c.StableWindow {
		bad("panic_window", "must be ≤ stable_window (%v), got %v", c.StableWindow, c.PanicWindow)
	}
	nonNegative := []struct {
		field string
		d     time.Duration
	}{
		{"scale_down_delay", c.ScaleDownDelay},
		{"boot_time", c.BootTime},
		{"replace_after", c.ReplaceAfter},
	}
	for _, p := range nonNegative {
		if p.d < 0 {
			bad(p.field, "must be ≥ 0, got %v", p.d)
		}
	}
	if !(c.PanicThreshold >= 1) || math.IsInf(c.PanicThreshold, 0) {
		bad("panic_threshold", "must be a finite number ≥ 1, got %v", c.PanicThreshold)
	}
	if c.MaxScaleDownStep < 1 {
		bad("max_scale_down_step", "must be ≥ 1, got %d", c.MaxScaleDownStep)
	}
	if !(c.CPUHigh > 0 && c.CPUHigh <= 100) {
		bad("cpu_high", "must be in (0, 100], got %v", c.CPUHigh)
	}
	switch {
	case !(c.CPULow >= 0):
		bad("cpu_low", "must be ≥ 0, got %v", c.CPULow)
	case c.CPULow >= c.CPUHigh:
		bad("cpu_low", "must be < cpu_high (%v), got %v", c.CPUHigh, c.CPULow)
	}
	if !(c.DefaultSpeed > 0) || math.IsInf(c.DefaultSpeed, 0) {
		bad("default_speed", "must be a finite number > 0, got %v", c.DefaultSpeed)
	}
	return errors.Join(errs...)
}
