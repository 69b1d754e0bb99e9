package docker

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"time"

	"github.com/docker/go-units"

	"github.com/specialvfx/vfx/internal/provider"
)

// Config configures the docker provider. Zero values take the defaults of
// Default.
type Config struct {
	// Deployment names the deployment; it must be a lower-case DNS-like
	// label (letters, digits, '-', '_', '.'; at most 40 characters).
	Deployment string
	// Binary is the vfx executable to put in the image. It is used as is
	// when it is statically linked; otherwise the image gets a static
	// binary built with CGO_ENABLED=0 from Source.
	Binary string
	// Source is the module directory to build ./cmd/vfx from when Binary is
	// not static (default: the module around the working directory).
	Source string
	// Image is a ready image to run instead of building one (optional).
	Image string
	// StateDir is bind-mounted at /data when the metrics store lives in
	// it; it also holds the statically built binary. Required.
	StateDir string
	// Store is the metrics store URL of the workers (see storeArgs).
	Store string
	// Args are extra arguments appended to `vfx worker ...`.
	Args []string
	// Env are the workers' environment variables ("KEY=value";
	// provider.Options.WorkerEnv).
	Env []string
	// CPUs is each container's CPU limit in cores (default 1).
	CPUs float64
	// Memory is each container's memory limit in bytes (default 512 MiB).
	Memory int64
	// StartTimeout bounds how long Launch waits for a new worker's /health
	// to answer before returning it Booting (default 20s).
	StartTimeout time.Duration
	// StopTimeout is the grace period between SIGTERM and SIGKILL
	// (default 15s; whole seconds).
	StopTimeout time.Duration
	// HealthTimeout bounds one /health probe (default 500ms).
	HealthTimeout time.Duration
	// Retention is how long a container that exited on its own is kept
	// and listed as Terminated before it is removed (default 1m).
	Retention time.Duration
	// MaxWorkers caps the number of containers of the deployment
	// (default 32).
	MaxWorkers int
	// Logger receives one line per build, launch, adoption and removal
	// (default slog.Default()).
	Logger *slog.Logger
}

// Extra keys of provider.Options understood by the docker provider.
const (
	ExtraImage        = "image"         // run this image, build none
	ExtraSource       = "source"        // module directory to build from
	ExtraStartTimeout = "start-timeout" // Go duration
	ExtraStopTimeout  = "stop-timeout"  // Go duration
	ExtraMaxWorkers   = "max-workers"   // integer
)

// Limits on the settings.
const (
	MinMemory     = 16 << 20 // the engine refuses less than 6 MiB; a worker needs more
	maxDeployment = 40
)

var deploymentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// Default returns the defaults.
func Default() Config {
	return Config{
		CPUs:          1,
		Memory:        512 << 20,
		StartTimeout:  20 * time.Second,
		StopTimeout:   15 * time.Second,
		HealthTimeout: 500 * time.Millisecond,
		Retention:     time.Minute,
		MaxWorkers:    32,
	}
}

func (c Config) withDefaults() Config {
	d := Default()
	c.CPUs = cmp.Or(c.CPUs, d.CPUs)
	c.Memory = cmp.Or(c.Memory, d.Memory)
	c.StartTimeout = cmp.Or(c.StartTimeout, d.StartTimeout)
	c.StopTimeout = cmp.Or(c.StopTimeout, d.StopTimeout)
	c.HealthTimeout = cmp.Or(c.HealthTimeout, d.HealthTimeout)
	c.Retention = cmp.Or(c.Retention, d.Retention)
	c.MaxWorkers = cmp.Or(c.MaxWorkers, d.MaxWorkers)
	c.Logger = cmp.Or(c.Logger, slog.Default())
	return c
}

// Validate reports every problem of c, each naming its field.
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.Deployment == "":
		errs = append(errs, errors.New("deployment: required"))
	case len(c.Deployment) > maxDeployment || !deploymentRE.MatchString(c.Deployment):
		errs = append(errs, fmt.Errorf("deployment: %q is not 1-%d lower-case letters, digits, '-', '_' or '.', starting with a letter or digit", c.Deployment, maxDeployment))
	}
	if c.StateDir == "" {
		errs = append(errs, errors.New("state dir: required"))
	}
	if math.IsNaN(c.CPUs) || c.CPUs < 0.01 || c.CPUs > 1024 {
		errs = append(errs, fmt.Errorf("worker cpus: %v is not in 0.01-1024", c.CPUs))
	}
	if c.Memory < MinMemory {
		errs = append(errs, fmt.Errorf("worker memory: %s is less than %s", units.BytesSize(float64(c.Memory)), units.BytesSize(MinMemory)))
	}
	errs = append(errs, provider.CheckNotNegative(
		provider.NamedDuration{Name: "start timeout", Value: c.StartTimeout},
		provider.NamedDuration{Name: "stop timeout", Value: c.StopTimeout},
		provider.NamedDuration{Name: "health timeout", Value: c.HealthTimeout},
		provider.NamedDuration{Name: "retention", Value: c.Retention},
	)...)
	if c.MaxWorkers < 0 || c.MaxWorkers > 1024 {
		errs = append(errs, fmt.Errorf("max workers: %d is not in 1-1024", c.MaxWorkers))
	}
	errs = append(errs, provider.CheckWorkerArgs(c.Args)...)
	return errors.Join(errs...)
}

// nanoCPUs converts a CPU limit in cores to the engine's unit.
func nanoCPUs(cpus float64) int64 { return int64(math.Round(cpus * 1e9)) }

// ConfigFromOptions maps the generic provider options (and the Extra keys
// above) onto a Config.
func ConfigFromOptions(o provider.Options) (Config, error) {
	c := Config{
		Deployment: o.Deployment,
		Binary:     o.Binary,
		StateDir:   o.StateDir,
		Store:      o.Store,
		Args:       append([]string(nil), o.WorkerArgs...),
		Env:        append([]string(nil), o.WorkerEnv...),
		CPUs:       o.WorkerCPUs,
		Memory:     o.WorkerMemory,
	}
	err := provider.ParseExtra(o.Extra, map[string]provider.ExtraSetting{
		ExtraImage:        provider.StringSetting(&c.Image),
		ExtraSource:       provider.StringSetting(&c.Source),
		ExtraStartTimeout: provider.DurationSetting(&c.StartTimeout),
		ExtraStopTimeout:  provider.DurationSetting(&c.StopTimeout),
		ExtraMaxWorkers:   provider.CountSetting(&c.MaxWorkers),
	})
	return c, err
}
