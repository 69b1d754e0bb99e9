package worker

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"empty id", func(c *Config) { c.ID = "" }, []string{"id:"}},
		{"id with space", func(c *Config) { c.ID = "a b" }, []string{"id:"}},
		{"zero inflight", func(c *Config) { c.MaxInflight = 0 }, []string{"max-inflight"}},
		{"everything wrong", func(c *Config) {
			c.MaxBodyBytes, c.ReadTimeout, c.SampleInterval, c.Threads, c.DrainTimeout, c.LeaseTimeout = 0, -1, 0, -2, -1, -1
		}, []string{"max-body", "read-timeout", "sample-interval", "threads", "drain-timeout", "lease-timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mutate(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
	c := DefaultConfig()
	c.WriteTimeout = 0
	if err := c.Validate(); err != nil {
		t.Errorf("write-timeout 0 (no limit) refused: %v", err)
	}
}
