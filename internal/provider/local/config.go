package local

import (
	"cmp"
	"errors"
	"time"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/owner"
)

// Config configures the local provider: the settings shared by the
// providers that run workers (StateDir is required; zero durations and
// limits take the defaults of Default) and those of its own.
type Config struct {
	provider.Workers
	// Owner is the state directory's owner, this process: it holds the
	// directory (a second owner is refused) and renews the workers'
	// leases (default owner.Self with no address).
	Owner owner.Owner
	// Detach starts workers without --exit-with-parent and without a
	// parent-death signal, so they outlive a parent that is killed and a
	// restarted provider can adopt them. Close still terminates them.
	Detach bool
	// AdoptTimeout bounds how long start-up waits for a recorded, running
	// worker to answer /health before leaving it alone (default 2s).
	AdoptTimeout time.Duration
	// PortAttempts is how many ports Launch tries for one worker when the
	// worker exits right after start, e.g. because its port was taken
	// (default 3).
	PortAttempts int

	// pickPort chooses the port of a new worker (default freePort).
	pickPort func() (int, error)
	// noDeathSignal leaves out the parent-death signal while still passing
	// --exit-with-parent, so that tests can check the worker's own watch.
	noDeathSignal bool
}

// MaxWorkersLimit bounds Config.MaxWorkers.
const MaxWorkersLimit = 4096

// Default returns the defaults.
func Default() Config {
	return Config{
		Workers:      provider.DefaultWorkers(),
		AdoptTimeout: 2 * time.Second,
		PortAttempts: 3,
	}
}

// complete fills the zero fields from Default and the executable, and
// validates the result.
func (c Config) complete() (Config, error) {
	d := Default()
	if err := c.Workers.Fill(d.Workers); err != nil {
		return c, err
	}
	c.Owner = owner.OrSelf(c.Owner)
	c.AdoptTimeout = cmp.Or(c.AdoptTimeout, d.AdoptTimeout)
	c.PortAttempts = cmp.Or(c.PortAttempts, d.PortAttempts)
	if c.pickPort == nil {
		c.pickPort = freePort
	}
	return c, c.Validate()
}

// Validate reports every problem of c, each a *provider.FieldError naming
// its field. Zero values are valid: they stand for the defaults.
func (c Config) Validate() error {
	errs := c.Workers.Check(MaxWorkersLimit)
	errs = append(errs, provider.CheckNotNegative(provider.NamedDuration{Name: "adopt timeout", Value: c.AdoptTimeout})...)
	if c.PortAttempts < 0 || c.PortAttempts > 100 {
		errs = append(errs, provider.Invalid("port attempts", "%d is not in 1-100", c.PortAttempts))
	}
	return errors.Join(errs...)
}
