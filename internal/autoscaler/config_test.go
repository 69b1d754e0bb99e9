package autoscaler

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Min != 1 || c.Max != 4 || c.Policy != "backlog" || c.TargetUtilization != 0.7 ||
		c.Interval != 2*time.Second || c.StableWindow != time.Minute || c.PanicWindow != 6*time.Second ||
		c.PanicThreshold != 2 || c.ScaleDownDelay != 30*time.Second || c.MaxScaleDownStep != 1 ||
		c.BootTime != 5*time.Second || c.DrainTimeout != time.Minute || c.ReplaceAfter != 10*time.Second ||
		c.CPUHigh != 50 || c.CPULow != 15 || c.DefaultSpeed != 50e6 || c.StateDir != "" || c.BacklogHorizon != 10*time.Second {
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
		{"zero horizon and drain timeout", func(c *Config) { c.BacklogHorizon = 0; c.DrainTimeout = 0 }, []string{"backlog_horizon: must be > 0", "drain_timeout: must be > 0"}},
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

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    func(*Config)
		wantErr string
	}{
		{"empty gives defaults", "", func(*Config) {}, ""},
		{"comment only gives defaults", "# nothing\n", func(*Config) {}, ""},
		{
			"overlay",
			"min: 2\nmax: 8\npolicy: cpu\ninterval: 5s\nstable_window: 2m\nscale_down_delay: 1m30s\ncpu_high: 70\ndefault_speed: 2.5e7\nstate_dir: /var/lib/vfx\n",
			func(c *Config) {
				c.Min, c.Max, c.Policy, c.Interval, c.StableWindow = 2, 8, "cpu", 5*time.Second, 2*time.Minute
				c.ScaleDownDelay, c.CPUHigh, c.DefaultSpeed, c.StateDir = 90*time.Second, 70, 2.5e7, "/var/lib/vfx"
			},
			"",
		},
		{"unknown key", "min: 1\nmax_workers: 3\n", nil, "field max_workers not found"},
		{"bad duration", "interval: soon\n", nil, "parse yaml"},
		{"bare number is not a duration", "interval: 2\n", nil, "parse yaml"},
		{"wrong type", "max: many\n", nil, "parse yaml"},
		{"two documents", "min: 1\n---\nmin: 2\n", nil, "more than one document"},
		{"not a mapping", "- 1\n- 2\n", nil, "parse yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "autoscaler.yaml")
	if err := os.WriteFile(path, []byte("max: 10\npanic_window: 3s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Max != 10 || c.PanicWindow != 3*time.Second || c.Min != 1 {
		t.Fatalf("got %+v", c)
	}

	_, err = LoadFile(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v, want fs.ErrNotExist", err)
	}

	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxConfigFileSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("big file: %v", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("nope: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("bad file: error %v does not name the file", err)
	}
}

func TestBindFlags(t *testing.T) {
	c := Default()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	c.BindFlags(fs)
	for _, name := range []string{"min", "max", "scale-policy", "target-utilization", "scale-interval", "stable-window",
		"panic-window", "scale-down-delay", "boot-time", "drain-timeout", "state-dir", "backlog-horizon"} {
		if fs.Lookup(name) == nil {
			t.Errorf("flag --%s not registered", name)
		}
	}
	if got := fs.Lookup("max").DefValue; got != "4" {
		t.Errorf("--max default %q, want 4", got)
	}
	err := fs.Parse([]string{"--min=2", "--max", "6", "--scale-policy=cpu", "--target-utilization=0.8", "--scale-interval=1s",
		"--stable-window=30s", "--panic-window=3s", "--scale-down-delay=10s", "--boot-time=1m", "--drain-timeout=2m",
		"--state-dir=/tmp/vfx", "--backlog-horizon=20s"})
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Min, want.Max, want.Policy, want.TargetUtilization, want.Interval = 2, 6, "cpu", 0.8, time.Second
	want.StableWindow, want.PanicWindow, want.ScaleDownDelay, want.BootTime, want.DrainTimeout = 30*time.Second, 3*time.Second, 10*time.Second, time.Minute, 2*time.Minute
	want.StateDir, want.BacklogHorizon = "/tmp/vfx", 20*time.Second
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
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

// FuzzParse: no input crashes the parser, and a configuration it accepts
// survives a YAML round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("min: 2\nmax: 8\npolicy: cpu\ninterval: 5s\n"))
	f.Add([]byte("target_utilization: 0.5\npanic_threshold: 3\ncpu_low: 10\nstate_dir: x\n"))
	f.Add([]byte("max: [1, 2]\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		out, err := yaml.Marshal(yamlForm(c))
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("reparse %q: %v", out, err)
		}
		if !reflect.DeepEqual(c, c2) && !hasNaN(c) {
			t.Fatalf("round trip changed the configuration:\n%+v\n%+v", c, c2)
		}
	})
}

// yamlForm writes durations as strings, as a user would.
func yamlForm(c Config) map[string]any {
	return map[string]any{
		"min": c.Min, "max": c.Max, "policy": c.Policy, "target_utilization": c.TargetUtilization,
		"interval": c.Interval.String(), "stable_window": c.StableWindow.String(), "panic_window": c.PanicWindow.String(),
		"panic_threshold": c.PanicThreshold, "backlog_horizon": c.BacklogHorizon.String(), "scale_down_delay": c.ScaleDownDelay.String(),
		"max_scale_down_step": c.MaxScaleDownStep, "boot_time": c.BootTime.String(), "drain_timeout": c.DrainTimeout.String(),
		"replace_after": c.ReplaceAfter.String(), "cpu_high": c.CPUHigh, "cpu_low": c.CPULow, "default_speed": c.DefaultSpeed,
		"state_dir": c.StateDir,
	}
}

func hasNaN(c Config) bool {
	for _, v := range []float64{c.TargetUtilization, c.PanicThreshold, c.CPUHigh, c.CPULow, c.DefaultSpeed} {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}
