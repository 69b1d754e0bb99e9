package runner

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" for valid
	}{
		{"default", DefaultConfig(), ""},
		{"with a state dir", Config{DrainTimeout: time.Second, StateDir: "/var/lib/vfx"}, ""},
		{"zero drain timeout", Config{}, "drain_timeout: must be > 0, got 0s"},
		{"negative drain timeout", Config{DrainTimeout: -time.Minute}, "drain_timeout: must be > 0, got -1m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if d := DefaultConfig(); d.DrainTimeout != time.Minute || d.StateDir != "" {
		t.Errorf("defaults changed: %+v", d)
	}
}
