package provider

import (
	"strings"
	"testing"
	"time"
)

// extraConfig is a configuration with one field of every kind of setting.
type extraConfig struct {
	name    string
	detach  bool
	timeout time.Duration
	max     int
}

func parseExtraConfig(extra map[string]string) (extraConfig, error) {
	var c extraConfig
	err := ParseExtra(extra, map[string]ExtraSetting{
		"name":    StringSetting(&c.name),
		"detach":  BoolSetting(&c.detach),
		"timeout": DurationSetting(&c.timeout),
		"max":     CountSetting(&c.max),
	})
	return c, err
}

func TestParseExtra(t *testing.T) {
	tests := []struct {
		name   string
		extra  map[string]string
		want   extraConfig
		errHas []string
	}{
		{name: "none", extra: nil},
		{name: "every kind", extra: map[string]string{"name": "n", "detach": "true", "timeout": "1m30s", "max": "7"},
			want: extraConfig{name: "n", detach: true, timeout: 90 * time.Second, max: 7}},
		{name: "other keys ignored", extra: map[string]string{"instance-type": "t3.micro", "max": "2"}, want: extraConfig{max: 2}},
		{name: "empty string kept", extra: map[string]string{"name": ""}},
		{name: "bad bool", extra: map[string]string{"detach": "maybe"}, errHas: []string{`detach "maybe": `, "invalid syntax"}},
		{name: "bad duration", extra: map[string]string{"timeout": "soon"}, errHas: []string{`timeout "soon": `}},
		{name: "zero duration", extra: map[string]string{"timeout": "0s"}, errHas: []string{`timeout "0s": must be positive`}},
		{name: "negative duration", extra: map[string]string{"timeout": "-1s"}, errHas: []string{"must be positive"}},
		{name: "zero count", extra: map[string]string{"max": "0"}, errHas: []string{`max "0": must be at least 1`}},
		{name: "not a count", extra: map[string]string{"max": "1.5"}, errHas: []string{`max "1.5": `}},
		{name: "every problem reported", extra: map[string]string{"max": "x", "timeout": "y", "detach": "z"},
			errHas: []string{`max "x"`, `timeout "y"`, `detach "z"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseExtraConfig(tt.extra)
			if len(tt.errHas) > 0 {
				if err == nil {
					t.Fatalf("no error; want one with %q", tt.errHas)
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseExtraReportsInKeyOrder(t *testing.T) {
	_, err := parseExtraConfig(map[string]string{"timeout": "y", "max": "x", "detach": "z"})
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "detach") || !strings.HasPrefix(lines[1], "max") || !strings.HasPrefix(lines[2], "timeout") {
		t.Errorf("errors %q; want detach, max, timeout in that order", lines)
	}
}

func TestCheckWorkerArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "none", args: nil},
		{name: "free flags", args: []string{"--max-inflight", "4", "--threads=2", "--listener"}},
		{name: "reserved flag", args: []string{"--store", "x"}, want: []string{"args: --store is set by the provider"}},
		{name: "reserved flag with value", args: []string{"--listen=:9"}, want: []string{"args: --listen is set by the provider"}},
		{name: "a token would show in ps", args: []string{"--worker-token", "secret-0123456789abcdef", "--worker-token-file=/run/t"},
			want: []string{"args: --worker-token is set by the provider"}},
		{name: "each reported", args: []string{"--id", "a", "--exit-with-parent"},
			want: []string{"args: --id is set by the provider", "args: --exit-with-parent is set by the provider"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := CheckWorkerArgs(tt.args)
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v; want %q", errs, tt.want)
			}
			for i, err := range errs {
				if err.Error() != tt.want[i] {
					t.Errorf("error %d = %q; want %q", i, err, tt.want[i])
				}
			}
		})
	}
}

func TestCheckNotNegative(t *testing.T) {
	errs := CheckNotNegative(
		NamedDuration{Name: "start timeout", Value: time.Second},
		NamedDuration{Name: "stop timeout", Value: -time.Second},
		NamedDuration{Name: "retention", Value: 0},
		NamedDuration{Name: "health timeout", Value: -time.Millisecond},
	)
	want := []string{"stop timeout: -1s is negative", "health timeout: -1ms is negative"}
	if len(errs) != len(want) {
		t.Fatalf("errors %v; want %q", errs, want)
	}
	for i, err := range errs {
		if err.Error() != want[i] {
			t.Errorf("error %d = %q; want %q", i, err, want[i])
		}
	}
}

// FuzzParseExtra checks that any value either sets a field within its
// bounds or is refused with an error naming its key.
func FuzzParseExtra(f *testing.F) {
	for _, s := range []string{"", "true", "5s", "-1s", "0", "3", "1e9", "9223372036854775808", "1h1m1s1ms1us1ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, key := range []string{"name", "detach", "timeout", "max"} {
			c, err := parseExtraConfig(map[string]string{key: v})
			if err != nil {
				if !strings.HasPrefix(err.Error(), key+" ") {
					t.Fatalf("error %q does not name %s", err, key)
				}
				continue
			}
			switch key {
			case "name":
				if c.name != v {
					t.Fatalf("name %q, want %q", c.name, v)
				}
			case "timeout":
				if c.timeout <= 0 {
					t.Fatalf("timeout %q accepted as %v", v, c.timeout)
				}
			case "max":
				if c.max < 1 {
					t.Fatalf("max %q accepted as %d", v, c.max)
				}
			}
		}
	})
}
