package local

import (
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/provider"
)

func TestValidate(t *testing.T) {
	good := func() Config {
		c, err := Config{Binary: vfxBinary, StateDir: "/tmp/x"}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		errHas []string
	}{
		{name: "defaults are valid", mutate: func(*Config) {}},
		{name: "no state dir", mutate: func(c *Config) { c.StateDir = "" }, errHas: []string{"state dir: required"}},
		{name: "missing binary", mutate: func(c *Config) { c.Binary = "/nonexistent/vfx" }, errHas: []string{"binary:"}},
		{name: "binary is a directory", mutate: func(c *Config) { c.Binary = "/tmp" }, errHas: []string{"not an executable file"}},
		{name: "negative stop timeout", mutate: func(c *Config) { c.StopTimeout = -time.Second }, errHas: []string{"stop timeout: -1s is negative"}},
		{name: "too many workers", mutate: func(c *Config) { c.MaxWorkers = 5000 }, errHas: []string{"max workers"}},
		{name: "reserved flag in args", mutate: func(c *Config) { c.Args = []string{"--listen=:9"} }, errHas: []string{"args: --listen is set by the provider"}},
		{name: "every problem reported", mutate: func(c *Config) { c.StateDir = ""; c.PortAttempts = -1 }, errHas: []string{"state dir", "port attempts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.mutate(&c)
			err := c.Validate()
			if len(tt.errHas) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate: no error")
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestConfigFromOptions(t *testing.T) {
	tests := []struct {
		name   string
		extra  map[string]string
		check  func(Config) bool
		errHas string
	}{
		{name: "detach", extra: map[string]string{ExtraDetach: "true"}, check: func(c Config) bool { return c.Detach }},
		{name: "timeouts", extra: map[string]string{ExtraStartTimeout: "2s", ExtraStopTimeout: "1m"}, check: func(c Config) bool {
			return c.StartTimeout == 2*time.Second && c.StopTimeout == time.Minute
		}},
		{name: "unknown keys ignored", extra: map[string]string{"instance-type": "t3.micro"}, check: func(c Config) bool { return !c.Detach }},
		{name: "bad detach", extra: map[string]string{ExtraDetach: "maybe"}, errHas: `detach "maybe"`},
		{name: "zero timeout", extra: map[string]string{ExtraStopTimeout: "0s"}, errHas: "must be positive"},
		{name: "bad max workers", extra: map[string]string{ExtraMaxWorkers: "0"}, errHas: "max-workers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ConfigFromOptions(provider.Options{Binary: "b", StateDir: "s", Store: "none", WorkerArgs: []string{"--max-inflight", "4"},
				WorkerEnv: []string{"VFX_WORKER_TOKEN=t"}, Extra: tt.extra})
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v; want %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Binary != "b" || c.StateDir != "s" || c.Store != "none" || len(c.Args) != 2 || len(c.Env) != 1 || !tt.check(c) {
				t.Errorf("config = %+v", c)
			}
		})
	}
}
