package local

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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
	// Env are extra environment variables of the workers ("KEY=value"),
	// added to this process's own (provider.Options.WorkerEnv).
	Env []string
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
	// to answer 200 before returning it Booting (default 5s).
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
	c.StartTimeout = cmp.Or(c.StartTimeout, d.StartTimeout)
	c.StopTimeout = cmp.Or(c.StopTimeout, d.StopTimeout)
	c.HealthTimeout = cmp.Or(c.HealthTimeout, d.HealthTimeout)
	c.AdoptTimeout = cmp.Or(c.AdoptTimeout, d.AdoptTimeout)
	c.Retention = cmp.Or(c.Retention, d.Retention)
	c.MaxWorkers = cmp.Or(c.MaxWorkers, d.MaxWorkers)
	c.PortAttempts = cmp.Or(c.PortAttempts, d.PortAttempts)
	c.Logger = cmp.Or(c.Logger, slog.Default())
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
	errs = append(errs, provider.CheckNotNegative(
		provider.NamedDuration{Name: "start timeout", Value: c.StartTimeout},
		provider.NamedDuration{Name: "stop timeout", Value: c.StopTimeout},
		provider.NamedDuration{Name: "health timeout", Value: c.HealthTimeout},
		provider.NamedDuration{Name: "adopt timeout", Value: c.AdoptTimeout},
		provider.NamedDuration{Name: "retention", Value: c.Retention},
	)...)
	errs = append(errs, provider.CheckWorkerArgs(c.Args)...)
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
		Env:      append([]string(nil), o.WorkerEnv...),
		StateDir: o.StateDir,
		Store:    o.Store,
	}
	err := provider.ParseExtra(o.Extra, map[string]provider.ExtraSetting{
		ExtraDetach:       provider.BoolSetting(&c.Detach),
		ExtraStartTimeout: provider.DurationSetting(&c.StartTimeout),
		ExtraStopTimeout:  provider.DurationSetting(&c.StopTimeout),
		ExtraMaxWorkers:   provider.CountSetting(&c.MaxWorkers),
	})
	return c, err
}
