package runner

import (
	"errors"
	"fmt"
	"time"
)

// DefaultDrainTimeout is Config.DrainTimeout's default.
const DefaultDrainTimeout = 60 * time.Second

// Config is the loop's own configuration; the policy's is
// autoscaler.Config. Its yaml tags are keys of the same configuration file.
type Config struct {
	// DrainTimeout is how long the loop waits for a draining worker to
	// finish its requests before it terminates it anyway.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// StateDir, when set, is where the loop writes VMState.xml and
	// ASState.xml.
	StateDir string `yaml:"state_dir"`
}

// DefaultConfig returns the default configuration: a DefaultDrainTimeout,
// no state files.
func DefaultConfig() Config {
	return Config{DrainTimeout: DefaultDrainTimeout}
}

// Validate reports every problem of the configuration at once, each naming
// its field.
func (c Config) Validate() error {
	var errs []error
	if c.DrainTimeout <= 0 {
		errs = append(errs, fmt.Errorf("drain_timeout: must be > 0, got %v", c.DrainTimeout))
	}
	return errors.Join(errs...)
}
