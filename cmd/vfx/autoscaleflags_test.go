package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/config"
)

func TestAutoscaleConfigOverlay(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "as.yaml")
	if err := os.WriteFile(file, []byte("policy: cpu\nmin: 2\nmax: 6\nscale_down_delay: 1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withDir := filepath.Join(dir, "with-dir.yaml")
	if err := os.WriteFile(withDir, []byte("state_dir: /var/lib/vfx\ndrain_timeout: 90s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("min: 5\nmax: 2\nnot_a_key: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		hasDir  bool // the command has its own --state-dir
		args    []string
		check   func(c autoscaleConfig) bool
		wantErr string
	}{
		{"defaults", true, nil, func(c autoscaleConfig) bool {
			d := defaultAutoscaleConfig()
			d.Loop.StateDir = "cmd-dir"
			return c == d
		}, ""},
		{"flags", true, []string{"--min", "2", "--max", "3", "--scale-policy", "cpu", "--scale-interval", "500ms"}, func(c autoscaleConfig) bool {
			s := c.Scaling
			return s.Min == 2 && s.Max == 3 && s.Policy == "cpu" && s.Interval == 500*time.Millisecond && c.Loop.StateDir == "cmd-dir"
		}, ""},
		{"file", true, []string{"--autoscale-config", file}, func(c autoscaleConfig) bool {
			s := c.Scaling
			return s.Policy == "cpu" && s.Min == 2 && s.Max == 6 && s.ScaleDownDelay == time.Minute && s.Interval == autoscaler.Default().Interval
		}, ""},
		{"flags override the file", true, []string{"--autoscale-config", file, "--max", "8", "--scale-policy", "backlog"}, func(c autoscaleConfig) bool {
			s := c.Scaling
			return s.Policy == "backlog" && s.Min == 2 && s.Max == 8 && s.ScaleDownDelay == time.Minute
		}, ""},
		{"the file's state dir wins over the command's", true, []string{"--autoscale-config", withDir}, func(c autoscaleConfig) bool {
			return c.Loop.StateDir == "/var/lib/vfx" && c.Loop.DrainTimeout == 90*time.Second
		}, ""},
		{"own state dir flag when the command has none", false, []string{"--state-dir", "x"}, func(c autoscaleConfig) bool {
			return c.Loop.StateDir == "x"
		}, ""},
		{"fixed pool", true, []string{"--scale-policy", "fixed", "--min", "3", "--max", "3"}, func(c autoscaleConfig) bool {
			return c.Scaling.Policy == "fixed" && c.Scaling.Min == 3 && c.Scaling.Max == 3
		}, ""},
		{"drain timeout flag over the file", true, []string{"--autoscale-config", withDir, "--drain-timeout", "2m"}, func(c autoscaleConfig) bool {
			return c.Loop.DrainTimeout == 2*time.Minute && c.Loop.StateDir == "/var/lib/vfx"
		}, ""},
		{"invalid flags", true, []string{"--min", "5", "--max", "2"}, nil, "max: must be ≥ min"},
		{"policy and loop problems at once", true, []string{"--max", "0", "--drain-timeout", "0s"}, nil, "max: must be ≥ 1, got 0\ndrain_timeout: must be > 0, got 0s"},
		{"unknown policy", true, []string{"--scale-policy", "magic"}, nil, "policy: unknown policy"},
		{"bad file", true, []string{"--autoscale-config", bad}, nil, "autoscaler config: " + bad + ": line 3, key not_a_key: unknown key"},
		{"missing file", true, []string{"--autoscale-config", filepath.Join(dir, "none.yaml")}, nil, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			var cmdDir string
			if tc.hasDir {
				fs.StringVar(&cmdDir, "state-dir", "cmd-dir", "the command's own state dir")
			}
			a := addAutoscaleFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			c, err := a.config(cmdDir)
			if expectErr(t, err, tc.wantErr) {
				return
			}
			if !tc.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}

// expectErr fails t unless err is what a case wants: no error for "", else
// one containing want. It reports whether the case wanted an error.
func expectErr(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	return true
}

func TestAutoscaleFlags(t *testing.T) {
	c := defaultAutoscaleConfig()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	bindAutoscaleFlags(fs, &c)
	for _, name := range []string{"min", "max", "scale-policy", "target-utilization", "scale-interval", "stable-window",
		"panic-window", "scale-down-delay", "boot-time", "drain-timeout", "state-dir", "backlog-horizon"} {
		if fs.Lookup(name) == nil {
			t.Errorf("flag --%s not registered", name)
		}
	}
	if got := fs.Lookup("max").DefValue; got != "4" {
		t.Errorf("--max default %q, want 4", got)
	}
	if got := fs.Lookup("drain-timeout").DefValue; got != "1m0s" {
		t.Errorf("--drain-timeout default %q, want 1m0s", got)
	}
	if got := fs.Lookup("scale-policy").Usage; got != "autoscaling policy: backlog, cpu, fixed" {
		t.Errorf("--scale-policy help %q", got)
	}
	err := fs.Parse([]string{"--min=2", "--max", "6", "--scale-policy=cpu", "--target-utilization=0.8", "--scale-interval=1s",
		"--stable-window=30s", "--panic-window=3s", "--scale-down-delay=10s", "--boot-time=1m", "--drain-timeout=2m",
		"--state-dir=/tmp/vfx", "--backlog-horizon=20s"})
	if err != nil {
		t.Fatal(err)
	}
	want := defaultAutoscaleConfig()
	s := &want.Scaling
	s.Min, s.Max, s.Policy, s.TargetUtilization, s.Interval = 2, 6, "cpu", 0.8, time.Second
	s.StableWindow, s.PanicWindow, s.ScaleDownDelay, s.BootTime = 30*time.Second, 3*time.Second, 10*time.Second, time.Minute
	s.BacklogHorizon = 20 * time.Second
	want.Loop.DrainTimeout, want.Loop.StateDir = 2*time.Minute, "/tmp/vfx"
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
}

func TestAutoscaleConfigFile(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    func(*autoscaleConfig)
		wantErr string
	}{
		{"empty gives defaults", "", func(*autoscaleConfig) {}, ""},
		{
			"policy and loop keys in one mapping",
			"min: 2\nmax: 8\npolicy: cpu\ninterval: 5s\nstable_window: 2m\nscale_down_delay: 1m30s\ncpu_high: 70\ndefault_speed: 2.5e7\nstate_dir: /var/lib/vfx\ndrain_timeout: 10s\n",
			func(c *autoscaleConfig) {
				s := &c.Scaling
				s.Min, s.Max, s.Policy, s.Interval, s.StableWindow = 2, 8, "cpu", 5*time.Second, 2*time.Minute
				s.ScaleDownDelay, s.CPUHigh, s.DefaultSpeed = 90*time.Second, 70, 2.5e7
				c.Loop.StateDir, c.Loop.DrainTimeout = "/var/lib/vfx", 10*time.Second
			},
			"",
		},
		{"unknown key", "min: 1\nmax_workers: 3\n", nil, "as.yaml: line 2, key max_workers: unknown key"},
		{"bad duration", "drain_timeout: soon\n", nil, "as.yaml: line 1, key drain_timeout: cannot unmarshal"},
		{"two documents", "min: 1\n---\nmin: 2\n", nil, "a second YAML document"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.Parse("as.yaml", []byte(tc.yaml), defaultAutoscaleConfig())
			if expectErr(t, err, tc.wantErr) {
				return
			}
			want := defaultAutoscaleConfig()
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}
