package local

import (
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/providertest"
)

func TestValidate(t *testing.T) {
	good, err := Config{Workers: provider.Workers{Binary: vfxBinary, StateDir: "/tmp/x"}}.complete()
	if err != nil {
		t.Fatal(err)
	}
	providertest.CheckConfigs(t, good, []providertest.ConfigCase[Config]{
		{Name: "defaults are valid", Mutate: func(*Config) {}},
		{Name: "zero values stand for defaults", Mutate: func(c *Config) { c.Workers = provider.Workers{StateDir: "/s"}; c.AdoptTimeout, c.PortAttempts = 0, 0 }},
		{Name: "no state dir", Mutate: func(c *Config) { c.StateDir = "" }, ErrHas: []string{"state dir: required"}},
		{Name: "missing binary", Mutate: func(c *Config) { c.Binary = "/nonexistent/vfx" }, ErrHas: []string{"binary:"}},
		{Name: "negative stop timeout", Mutate: func(c *Config) { c.StopTimeout = -time.Second }, ErrHas: []string{"stop timeout: -1s is negative"}},
		{Name: "negative adopt timeout", Mutate: func(c *Config) { c.AdoptTimeout = -time.Second }, ErrHas: []string{"adopt timeout: -1s is negative"}},
		{Name: "as many workers as allowed", Mutate: func(c *Config) { c.MaxWorkers = MaxWorkersLimit }},
		{Name: "too many workers", Mutate: func(c *Config) { c.MaxWorkers = MaxWorkersLimit + 1 }, ErrHas: []string{"max workers: 4097 is not in 1-4096"}},
		{Name: "reserved flag in args", Mutate: func(c *Config) { c.Args = []string{"--listen=:9"} }, ErrHas: []string{"args: --listen is set by the provider"}},
		{Name: "every problem reported", Mutate: func(c *Config) { c.StateDir = ""; c.PortAttempts = -1 }, ErrHas: []string{"state dir", "port attempts"}},
	})
}

func TestComplete(t *testing.T) {
	c, err := Config{Workers: provider.Workers{StateDir: "/s", StopTimeout: time.Second}}.complete()
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if c.StopTimeout != time.Second || c.StartTimeout != d.StartTimeout || c.MaxWorkers != d.MaxWorkers ||
		c.AdoptTimeout != d.AdoptTimeout || c.PortAttempts != d.PortAttempts || c.pickPort == nil || c.Binary == "" {
		t.Errorf("complete = %+v", c)
	}
	if _, err := (Config{Workers: provider.Workers{StopTimeout: -1}}).complete(); err == nil {
		t.Error("complete of an invalid config: no error")
	}
}
