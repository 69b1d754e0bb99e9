package docker

import (
	"cmp"
	"errors"
	"math"
	"regexp"
	"time"

	"github.com/docker/go-units"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/owner"
)

// Config configures the docker provider: the settings shared by the
// providers that run workers (StateDir is required; zero durations and
// limits take the defaults of Default) and those of its own.
//
// Workers.Binary is the vfx executable put in the worker image (default:
// this process's own), however it was built: statically linked, or
// dynamically linked, with its program interpreter and shared libraries.
// StateDir is bind-mounted at /data when the metrics store lives in it.
// StopTimeout counts in whole seconds.
type Config struct {
	provider.Workers
	// Owner is the deployment's owner, this process: it holds the
	// deployment (a second owner is refused) and renews the workers'
	// leases (default owner.Self with no address).
	Owner owner.Owner
	// Deployment names the deployment; it must be a lower-case DNS-like
	// label (letters, digits, '-', '_', '.'; at most 40 characters).
	// Required.
	Deployment string
	// Image is a ready image to run instead of building one from Binary
	// (optional; it must exist: nothing is pulled).
	Image string
	// CPUs is each container's CPU limit in cores (default 1).
	CPUs float64
	// Memory is each container's memory limit in bytes (default 512 MiB).
	Memory int64
}

// Limits on the settings.
const (
	MinMemory       = 16 << 20 // the engine refuses less than 6 MiB; a worker needs more
	MaxWorkersLimit = 1024     // bounds Config.MaxWorkers
	maxDeployment   = 40
)

var deploymentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// Default returns the defaults.
func Default() Config {
	w := provider.DefaultWorkers()
	w.StartTimeout = 20 * time.Second // a container starts slower than a process
	w.MaxWorkers = 32
	return Config{Workers: w, CPUs: 1, Memory: 512 << 20}
}

// complete fills the zero fields from Default and the executable, and
// validates the result.
func (c Config) complete() (Config, error) {
	d := Default()
	if err := c.Workers.Fill(d.Workers); err != nil {
		return c, err
	}
	c.Owner = owner.OrSelf(c.Owner)
	c.CPUs = cmp.Or(c.CPUs, d.CPUs)
	c.Memory = cmp.Or(c.Memory, d.Memory)
	return c, c.Validate()
}

// Validate reports every problem of c, each a *provider.FieldError naming
// its field. Zero values are valid: they stand for the defaults.
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.Deployment == "":
		errs = append(errs, provider.Invalid("deployment", "required"))
	case len(c.Deployment) > maxDeployment || !deploymentRE.MatchString(c.Deployment):
		errs = append(errs, provider.Invalid("deployment", "%q is not 1-%d lower-case letters, digits, '-', '_' or '.', starting with a letter or digit", c.Deployment, maxDeployment))
	}
	errs = append(errs, c.Workers.Check(MaxWorkersLimit)...)
	if _, _, err := storeArgs(c.Store, c.StateDir); err != nil {
		errs = append(errs, err)
	}
	if math.IsNaN(c.CPUs) || c.CPUs != 0 && (c.CPUs < 0.01 || c.CPUs > 1024) {
		errs = append(errs, provider.Invalid("worker cpus", "%v is not in 0.01-1024", c.CPUs))
	}
	if c.Memory != 0 && c.Memory < MinMemory {
		errs = append(errs, provider.Invalid("worker memory", "%s is less than %s", units.BytesSize(float64(c.Memory)), units.BytesSize(MinMemory)))
	}
	return errors.Join(errs...)
}

// nanoCPUs converts a CPU limit in cores to the engine's unit.
func nanoCPUs(cpus float64) int64 { return int64(math.Round(cpus * 1e9)) }
