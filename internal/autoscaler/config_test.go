package autoscaler

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Min != 1 || c.Max != 4 || c.Policy != "backlog" || c.TargetUtilization != 0.7 ||
		c.Interval != 2*time.Second || c.StableWindow != time.Minute || c.PanicWindow != 6*time.Second ||
		c.PanicThreshold != 2 || c.ScaleDownDelay != 30*time.Second || c.MaxScaleDownStep != 1 ||
		c.BootTime != 5*time.Second || c.ReplaceAfter != 10*time.Second ||
		c.CPUHigh != 50 || c.CPULow != 15 || c.DefaultSpeed != 50e6 || c.BacklogHorizon != 10*time.Second {
		t.Fatalf("defaults changed: %+v", c)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want []string // every message must appear
	}{
		{"max below min", func(c *Config) { c.Max = 0 }, []string{"max: must be ≥ 1, got 0"}},
		{"max below min 3", func(c *Config) { c.Min = 3; c.Max = 2 }, []string{"max: must be ≥ min (3), got 2"}},
		{"max too large", func(c *Config) { c.Max = MaxWorkersLimit + 1 }, []string{"max: must be ≤ 100000"}},
		{"negative min", func(c *Config) { c.Min = -1 }, []string{"min: must be ≥ 0, got -1"}},
		{"min 0 with cpu", func(c *Config) { c.Min = 0; c.Policy = "cpu" }, []string{"min: must be ≥ 1 for the cpu policy"}},
		{"unknown policy", func(c *Config) { c.Policy = "magic" }, []string{`policy: unknown policy "magic" (want one of: backlog, cpu, fixed)`}},
		{"utilization zero", func(c *Config) { c.TargetUtilization = 0 }, []string{"target_utilization: must be in (0, 1], got 0"}},
		{"utilization NaN", func(c *Config) { c.TargetUtilization = math.NaN() }, []string{"target_utilization: must be in (0, 1]"}},
		{"utilization above 1", func(c *Config) { c.TargetUtilization = 1.5 }, []string{"target_utilization"}},
		{"zero interval", func(c *Config) { c.Interval = 0 }, []string{"interval: must be > 0, got 0s"}},
		{"panic window above stable", func(c *Config) { c.PanicWindow = 2 * time.Minute }, []string{"panic_window: must be ≤ stable_window (1m0s), got 2m0s"}},
		{"negative delay", func(c *Config) { c.ScaleDownDelay = -time.Second }, []string{"scale_down_delay: must be ≥ 0"}},
		{"panic threshold below 1", func(c *Config) { c.PanicThreshold = 0.5 }, []string{"panic_threshold: must be a finite number ≥ 1, got 0.5"}},
		{"step 0", func(c *Config) { c.MaxScaleDownStep = 0 }, []string{"max_scale_down_step: must be ≥ 1, got 0"}},
		{"cpu low above high", func(c *Config) { c.CPULow = 60 }, []string{"cpu_low: must be < cpu_high (50), got 60"}},
		{"cpu high above 100", func(c *Config) { c.CPUHigh = 120 }, []string{"cpu_high: must be in (0, 100], got 120"}},
		{"speed infinite", func(c *Config) { c.DefaultSpeed = math.Inf(1) }, []string{"default_speed: must be a finite number > 0"}},
		{"zero horizon and stable window", func(c *Config) { c.BacklogHorizon = 0; c.StableWindow = 0 }, []string{"backlog_horizon: must be > 0", "stable_window: must be > 0"}},
		{
			"every problem at once",
			func(c *Config) { c.Max = 0; c.Policy = ""; c.Interval = -1; c.CPULow = -1; c.DefaultSpeed = 0 },
			[]string{"max:", "policy:", "interval:", "cpu_low:", "default_speed:"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if got, want := strings.Count(err.Error(), "\n")+1, len(tc.want); got != want {
				t.Errorf("%d problems reported, want %d:\n%v", got, want, err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, name := range Names() {
		if _, err := New(name, Default()); err != nil {
			t.Errorf("New(%q): %v", name, err)
		}
	}
	_, err := New("rl", Default())
	if err == nil || !strings.Contains(err.Error(), "backlog, cpu, fixed") {
		t.Fatalf("unknown policy: %v", err)
	}
	c := Default()
	c.Max = 0
	if _, err := New("backlog", c); err == nil || !strings.Contains(err.Error(), "max:") {
		t.Fatalf("invalid config: %v", err)
	}
}

func TestPolicies(t *testing.T) {
	if got, want := Names(), []string{"backlog", "cpu", "fixed"}; !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	// Each call builds a map of its own: changing one changes no other.
	p := Policies()
	delete(p, "backlog")
	p["magic"] = func(Config) Policy { return nil }
	if _, ok := Policies()["backlog"]; !ok {
		t.Error("deleting from one Policies() map removed backlog from the next")
	}
	if _, err := New("magic", Default()); err == nil {
		t.Error("a policy added to one Policies() map can be built")
	}
	c := Default()
	c.Policy = "magic"
	if err := c.Validate(); err == nil {
		t.Error("a policy added to one Policies() map is valid")
	}
	// Every constructor builds its own policy.
	for name, mk := range Policies() {
		c := Default()
		c.Policy = name
		if p := mk(c); p == nil {
			t.Errorf("Policies()[%q] built nil", name)
		}
	}
}
