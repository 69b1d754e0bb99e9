package provider

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Workers are the settings shared by the providers that run `vfx worker`
// themselves (local processes, Docker containers); each embeds them in its
// own Config. A zero duration or limit takes the provider's default (see
// WithDefaults).
type Workers struct {
	// Binary is the vfx executable the workers run (default: this
	// process's own executable). It is made absolute.
	Binary string
	// Args are extra arguments appended to `vfx worker ...`; they must not
	// set ReservedWorkerFlags.
	Args []string
	// Env are extra environment variables of the workers ("KEY=value"):
	// how a secret such as the worker token reaches them, never their
	// command line, which anyone listing processes sees. Providers must
	// not log them.
	Env []string
	// StateDir is where the provider keeps what it needs to adopt its
	// workers after a restart, and the workers' logs. Required.
	StateDir string
	// Store is the metrics store URL handed to the workers.
	Store string
	// StartTimeout bounds how long Launch waits for a new worker's /health
	// to answer 200 before returning it booting.
	StartTimeout time.Duration
	// StopTimeout is how long Terminate lets a worker drain after SIGTERM
	// before it kills it.
	StopTimeout time.Duration
	// HealthTimeout bounds one /health probe.
	HealthTimeout time.Duration
	// Retention is how long a worker that died on its own is still listed,
	// as Terminated.
	Retention time.Duration
	// MaxWorkers caps the number of live workers: Launch refuses to go
	// beyond it.
	MaxWorkers int
	// LeaseTimeout is how long a worker the provider starts lives without
	// a renewal of its lease (`vfx worker --lease-timeout`): the provider
	// renews it (package lease) every third of it, so a worker whose
	// owner is killed or frozen drains and exits by itself after at most
	// that long.
	LeaseTimeout time.Duration
	// Token is the worker token sent with the lease renewals (nil or
	// empty: none). The workers get it through Env.
	Token Secret
	// Logger receives one line per launch, adoption, exit and termination
	// (default slog.Default()).
	Logger *slog.Logger
}

// DefaultWorkers are the defaults of the settings of the providers that
// run workers; each may change some.
func DefaultWorkers() Workers {
	return Workers{
		StartTimeout:  5 * time.Second,
		StopTimeout:   15 * time.Second,
		HealthTimeout: 500 * time.Millisecond,
		Retention:     time.Minute,
		MaxWorkers:    64,
		LeaseTimeout:  30 * time.Second,
	}
}

// Secret is a token a provider sends without ever showing it
// (access.Secret is one).
type Secret interface{ Reveal() string }

// MinLeaseTimeout is the shortest lease timeout: renewals every third of
// it must fit several health timeouts.
const MinLeaseTimeout = time.Second

// RenewInterval is how often a provider renews its workers' leases.
func (w Workers) RenewInterval() time.Duration { return w.LeaseTimeout / 3 }

// TokenValue is the token to send, "" for none.
func (w Workers) TokenValue() string {
	if w.Token == nil {
		return ""
	}
	return w.Token.Reveal()
}

// Fill sets the zero durations and limit of w from d, the logger from
// slog.Default() and the binary from os.Executable, made absolute.
func (w *Workers) Fill(d Workers) error {
	w.StartTimeout = cmp.Or(w.StartTimeout, d.StartTimeout)
	w.StopTimeout = cmp.Or(w.StopTimeout, d.StopTimeout)
	w.HealthTimeout = cmp.Or(w.HealthTimeout, d.HealthTimeout)
	w.Retention = cmp.Or(w.Retention, d.Retention)
	w.MaxWorkers = cmp.Or(w.MaxWorkers, d.MaxWorkers)
	w.LeaseTimeout = cmp.Or(w.LeaseTimeout, d.LeaseTimeout)
	w.Logger = cmp.Or(w.Logger, d.Logger, slog.Default())
	if w.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return Invalid("binary", "find own executable: %w", err)
		}
		w.Binary = exe
	}
	abs, err := filepath.Abs(w.Binary)
	if err != nil {
		return Invalid("binary", "%w", err)
	}
	w.Binary = abs
	return nil
}

// Check reports every problem of w, each a *FieldError; maxWorkers is the
// highest MaxWorkers the provider accepts. Zero values are valid: they
// stand for the defaults.
func (w Workers) Check(maxWorkers int) []error {
	var errs []error
	if w.StateDir == "" {
		errs = append(errs, Invalid("state dir", "required"))
	}
	if w.Binary != "" {
		if st, err := os.Stat(w.Binary); err != nil {
			errs = append(errs, Invalid("binary", "%w", err))
		} else if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
			errs = append(errs, Invalid("binary", "%s is not an executable file", w.Binary))
		}
	}
	errs = append(errs, CheckWorkerArgs(w.Args)...)
	errs = append(errs, CheckNotNegative(
		NamedDuration{Name: "start timeout", Value: w.StartTimeout},
		NamedDuration{Name: "stop timeout", Value: w.StopTimeout},
		NamedDuration{Name: "health timeout", Value: w.HealthTimeout},
		NamedDuration{Name: "retention", Value: w.Retention},
		NamedDuration{Name: "lease timeout", Value: w.LeaseTimeout},
	)...)
	if w.LeaseTimeout > 0 && w.LeaseTimeout < MinLeaseTimeout {
		errs = append(errs, Invalid("lease timeout", "%v is less than %v", w.LeaseTimeout, MinLeaseTimeout))
	}
	if w.MaxWorkers < 0 || w.MaxWorkers > maxWorkers {
		errs = append(errs, Invalid("max workers", "%d is not in 1-%d", w.MaxWorkers, maxWorkers))
	}
	return errs
}

// ReservedWorkerFlags are the `vfx worker` flags that a provider running
// workers sets itself; its extra worker arguments must not set them.
//
// --worker-token would show the token on the command line: it goes in Env.
var ReservedWorkerFlags = []string{"--listen", "--id", "--store", "--exit-with-parent", "--lease-timeout", "--worker-token"}

// CheckWorkerArgs reports each of args that sets one of
// ReservedWorkerFlags ("--flag" or "--flag=value"), as a *FieldError of
// "args".
func CheckWorkerArgs(args []string) []error {
	var errs []error
	for _, a := range args {
		for _, f := range ReservedWorkerFlags {
			if a == f || strings.HasPrefix(a, f+"=") {
				errs = append(errs, Invalid("args", "%s is set by the provider", f))
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

// CheckNotNegative reports each negative duration of ds as a *FieldError
// of its name.
func CheckNotNegative(ds ...NamedDuration) []error {
	var errs []error
	for _, d := range ds {
		if d.Value < 0 {
			errs = append(errs, Invalid(d.Name, "%v is negative", d.Value))
		}
	}
	return errs
}

// FieldError is a problem with one setting of a provider's configuration.
// Its Field is the setting's name in words ("stop timeout"), which a
// command maps to the flag that sets it.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Invalid returns a *FieldError of field with a message formatted as by
// fmt.Errorf (so %w wraps).
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}
