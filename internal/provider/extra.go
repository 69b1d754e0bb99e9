package provider

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ExtraSetting parses the value of one key of Options.Extra into a
// provider's configuration.
type ExtraSetting func(value string) error

// ParseExtra applies to extra the settings of the keys a provider
// understands, in key order, and ignores the other keys (another
// provider's settings). It returns every problem, each naming its key and
// value.
func ParseExtra(extra map[string]string, settings map[string]ExtraSetting) error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		set, ok := settings[k]
		if !ok {
			continue
		}
		if err := set(extra[k]); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", k, extra[k], err))
		}
	}
	return errors.Join(errs...)
}

// StringSetting stores the value as is.
func StringSetting(p *string) ExtraSetting {
	return func(v string) error { *p = v; return nil }
}

// BoolSetting parses "true" or "false" (and the other forms of
// strconv.ParseBool).
func BoolSetting(p *bool) ExtraSetting {
	return func(v string) (err error) { *p, err = strconv.ParseBool(v); return err }
}

// DurationSetting parses a positive Go duration, e.g. "5s".
func DurationSetting(p *time.Duration) ExtraSetting {
	return func(v string) (err error) {
		*p, err = time.ParseDuration(v)
		if err == nil && *p <= 0 {
			*p, err = 0, errors.New("must be positive")
		}
		return err
	}
}

// CountSetting parses an integer of at least 1.
func CountSetting(p *int) ExtraSetting {
	return func(v string) (err error) {
		*p, err = strconv.Atoi(v)
		if err == nil && *p < 1 {
			err = errors.New("must be at least 1")
		}
		return err
	}
}

// ReservedWorkerFlags are the `vfx worker` flags that a provider running
// workers sets itself; its extra worker arguments must not set them.
// --worker-token would show the token on the command line: the token
// goes in Options.WorkerEnv.
var ReservedWorkerFlags = []string{"--listen", "--id", "--store", "--exit-with-parent", "--worker-token"}

// CheckWorkerArgs reports each of args that sets one of
// ReservedWorkerFlags ("--flag" or "--flag=value").
func CheckWorkerArgs(args []string) []error {
	var errs []error
	for _, a := range args {
		for _, f := range ReservedWorkerFlags {
			if a == f || strings.HasPrefix(a, f+"=") {
				errs = append(errs, fmt.Errorf("args: %s is set by the provider", f))
			}
		}
	}
	return errs
}

// NamedDuration is a duration setting with the name its errors give it.
type NamedDuration struct {
	Name  string
	Value time.Duration
}

// CheckNotNegative reports each negative duration of ds, by name.
func CheckNotNegative(ds ...NamedDuration) []error {
	var errs []error
	for _, d := range ds {
		if d.Value < 0 {
			errs = append(errs, fmt.Errorf("%s: %v is negative", d.Name, d.Value))
		}
	}
	return errs
}
