package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/autoscaler"
)

func TestAutoscaleConfigOverlay(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "as.yaml")
	if err := os.WriteFile(file, []byte("policy: cpu\nmin: 2\nmax: 6\nscale_down_delay: 1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withDir := filepath.Join(dir, "with-dir.yaml")
	if err := os.WriteFile(withDir, []byte("state_dir: /var/lib/vfx\n"), 0o644); err != nil {
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
		check   func(c autoscaler.Config) bool
		wantErr string
	}{
		{"defaults", true, nil, func(c autoscaler.Config) bool {
			d := autoscaler.Default()
			d.StateDir = "cmd-dir"
			return c == d
		}, ""},
		{"flags", true, []string{"--min", "2", "--max", "3", "--scale-policy", "cpu", "--scale-interval", "500ms"}, func(c autoscaler.Config) bool {
			return c.Min == 2 && c.Max == 3 && c.Policy == "cpu" && c.Interval == 500*time.Millisecond && c.StateDir == "cmd-dir"
		}, ""},
		{"file", true, []string{"--autoscale-config", file}, func(c autoscaler.Config) bool {
			return c.Policy == "cpu" && c.Min == 2 && c.Max == 6 && c.ScaleDownDelay == time.Minute && c.Interval == autoscaler.Default().Interval
		}, ""},
		{"flags override the file", true, []string{"--autoscale-config", file, "--max", "8", "--scale-policy", "backlog"}, func(c autoscaler.Config) bool {
			return c.Policy == "backlog" && c.Min == 2 && c.Max == 8 && c.ScaleDownDelay == time.Minute
		}, ""},
		{"the file's state dir wins over the command's", true, []string{"--autoscale-config", withDir}, func(c autoscaler.Config) bool {
			return c.StateDir == "/var/lib/vfx"
		}, ""},
		{"own state dir flag when the command has none", false, []string{"--state-dir", "x"}, func(c autoscaler.Config) bool {
			return c.StateDir == "x"
		}, ""},
		{"fixed pool", true, []string{"--scale-policy", "fixed", "--min", "3", "--max", "3"}, func(c autoscaler.Config) bool {
			return c.Policy == "fixed" && c.Min == 3 && c.Max == 3
		}, ""},
		{"invalid flags", true, []string{"--min", "5", "--max", "2"}, nil, "max: must be ≥ min"},
		{"unknown policy", true, []string{"--scale-policy", "magic"}, nil, "policy: unknown policy"},
		{"bad file", true, []string{"--autoscale-config", bad}, nil, "not_a_key"},
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
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}
