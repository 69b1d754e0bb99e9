package local

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/provider"
)

// Config configures the local provider. Zero durations and limits take the
// defaults of Default.
type Config struct {
	// Binary is the vfx executable the workers run (default: this process's
	// own executable). It is made absolute.
	Binary string
	// Args are extra arguments appended to `vfx worker ...`.
	Args []string
	// StateDir holds local/<id>.json and logs/<id>.log. Required.
	StateDir string
	// Store is passed to the workers as --store when not empty; when empty
	// the workers use their own default.
	Store string
	// Detach starts workers without --exit-with-parent and without a
	// parent-death signal, so they outlive a parent that is killed and a
	// restarted provider can adopt them. Close still terminates them.
	Detach bool
	// StartTimeout bounds how long Launch waits for a new worker's /health
	// to answer 200 before returning it Pending (default 5s).
	StartTimeout time.Duration
	// StopTimeout is how long Terminate waits after SIGTERM before it sends
	// SIGKILL (default 15s).
	StopTimeout time.Duration
	// HealthTimeout bounds one /health probe (default 500ms).
	HealthTimeout time.Duration
	// AdoptTimeout bounds how long start-up waits for a recorded, running
	// worker to answer /health before leaving it alone (default 2s).
	AdoptTimeout time.Duration
	// Retention is how long a worker that died on its own is still listed,
	// as Terminated (default 1m).
	Retention time.Duration
	// MaxWorkers caps the number of live workers (default 64).
	MaxWorkers int
	// PortAttempts is how many ports Launch tries for one worker when the
	// worker exits right after start, e.g. because its port was taken
	// (default 3).
	PortAttempts int
	// noDeathSignal leaves out the parent-death signal while still passing
	// --exit-with-parent, so that tests can check the worker's own watch.
	noDeathSignal bool

	// Logger receives one line per launch, adoption, exit and termination
	// (default slog.Default()).
	Logger *slog.Logger
}

// Extra keys of provider.Options understood by the local provider.
const (
	ExtraDetach       = "detach"        // "true" or "false"
	ExtraStartTimeout = "start-timeout" // Go duration, e.g. "5s"
	ExtraStopTimeout  = "stop-timeout"  // Go duration
	ExtraMaxWorkers   = "max-workers"   // integer
)

// reservedFlags are the worker flags the provider sets itself.
var reservedFlags = []string{"--listen", "--id", "--store", "--exit-with-parent"}

// Default returns the defaults.
func Default() Config {
	return Config{
		StartTimeout:  5 * time.Second,
		StopTimeout:   15 * time.Second,
		HealthTimeout: 500 * time.Millisecond,
		AdoptTimeout:  2 * time.Second,
		Retention:     time.Minute,
		MaxWorkers:    64,
		PortAttempts:  3,
	}
}

// withDefaults fills the zero fields from Default and the executable.
func (c Config) withDefaults() (Config, error) {
	d := Default()
	if c.StartTimeout == 0 {
		c.StartTimeout = d.StartTimeout
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = d.StopTimeout
	}
	if c.HealthTimeout == 0 {
		c.HealthTimeout = d.HealthTimeout
	}
	if c.AdoptTimeout == 0 {
		c.AdoptTimeout = d.AdoptTimeout
	}
	if c.Retention == 0 {
		c.Retention = d.Retention
	}
	if c.MaxWorkers == 0 {
		c.MaxWorkers = d.MaxWorkers
	}
	if c.PortAttempts == 0 {
		c.PortAttempts = d.PortAttempts
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("binary: find own executable: %w", err)
		}
		c.Binary = exe
	}
	abs, err := filepath.Abs(c.Binary)
	if err != nil {
		return c, fmt.Errorf("binary: %w", err)
	}
	c.Binary = abs
	return c, nil
}

// Validate reports every problem of c, each naming its field.
func (c Config) Validate() error {
	var errs []error
	if c.StateDir == "" {
		errs = append(errs, errors.New("state dir: required"))
	}
	if c.Binary == "" {
		errs = append(errs, errors.New("binary: required"))
	} else if st, err := os.Stat(c.Binary); err != nil {
		errs = append(errs, fmt.Errorf("binary: %w", err))
	} else if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		errs = append(errs, fmt.Errorf("binary: %s is not an executable file", c.Binary))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"start timeout", c.StartTimeout},
		{"stop timeout", c.StopTimeout},
		{"health timeout", c.HealthTimeout},
		{"adopt timeout", c.AdoptTimeout},
		{"retention", c.Retention},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s: %v is negative", d.name, d.v))
		}
	}
	for _, a := range c.Args {
		for _, f := range reservedFlags {
			if a == f || strings.HasPrefix(a, f+"=") {
				errs = append(errs, fmt.Errorf("args: %s is set by the provider", f))
			}
		}
	}
	if c.MaxWorkers < 0 || c.MaxWorkers > 4096 {
		errs = append(errs, fmt.Errorf("max workers: %d is not in 1-4096", c.MaxWorkers))
	}
	if c.PortAttempts < 0 || c.PortAttempts > 100 {
		errs = append(errs, fmt.Errorf("port attempts: %d is not in 1-100", c.PortAttempts))
	}
	return errors.Join(errs...)
}

// ConfigFromOptions maps the generic provider options (and the Extra keys
// above) onto a Config.
func ConfigFromOptions(o provider.Options) (Config, error) {
	c := Config{
		Binary:   o.Binary,
		Args:     append([]string(nil), o.WorkerArgs...),
		StateDir: o.StateDir,
		Store:    o.Store,
	}
	var errs []error
	for k, v := range o.Extra {
		var err error
		switch k {
		case ExtraDetach:
			c.Detach, err = strconv.ParseBool(v)
		case ExtraStartTimeout:
			c.StartTimeout, err = parsePositiveDuration(v)
		case ExtraStopTimeout:
			c.StopTimeout, err = parsePositiveDuration(v)
		case ExtraMaxWorkers:
			c.MaxWorkers, err = strconv.Atoi(v)
			if err == nil && c.MaxWorkers < 1 {
				err = errors.New("must be at least 1")
			}
		default:
			continue // another provider's setting
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", k, v, err))
		}
	}
	return c, errors.Join(errs...)
}

func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}
