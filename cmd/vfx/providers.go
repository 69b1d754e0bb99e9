package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker"
	"github.com/specialvfx/vfx/internal/provider/local"
	"github.com/specialvfx/vfx/internal/provider/owner"
	"github.com/specialvfx/vfx/internal/provider/static"
)

// providerFlags choose and configure the worker provider of vfx up and
// vfx lb. Each provider reads some of them (see providerKinds); a flag
// given to a provider that does not read it is an error.
type providerFlags struct {
	name         string
	deployment   string
	cpus         float64
	memory       int64
	image        string
	detach       bool
	startTimeout time.Duration
	stopTimeout  time.Duration
	leaseTimeout time.Duration
	maxWorkers   int
	workerArgs   []string
	addresses    []string // vfx lb: --workers of --provider static
	launch       int      // vfx lb: workers to launch at start

	offered []string       // the providers of the command
	bound   []string       // the flags bound, but --provider
	fs      *pflag.FlagSet // to tell which flags were given
}

// The provider flags but --provider.
const (
	flagDeployment   = "deployment"
	flagWorkerCPUs   = "worker-cpus"
	flagWorkerMemory = "worker-memory"
	flagDockerImage  = "docker-image"
	flagDetach       = "detach-workers"
	flagStartTimeout = "worker-start-timeout"
	flagStopTimeout  = "worker-stop-timeout"
	flagLeaseTimeout = "worker-lease-timeout"
	flagMaxWorkers   = "max-workers"
	flagWorkerArg    = "worker-arg"
	flagAddresses    = "workers"
	flagLaunch       = "launch"
)

// providerKind is one provider: the flags it reads and how its
// configuration is made from them and checked.
type providerKind struct {
	flags []string
	setup func(f *providerFlags, env providerEnv) (providerSetup, error)
}

// providerKinds are the providers by name.
func providerKinds() map[string]providerKind {
	workers := []string{flagStartTimeout, flagStopTimeout, flagLeaseTimeout, flagMaxWorkers, flagWorkerArg, flagLaunch}
	return map[string]providerKind{
		local.Name:  {flags: append([]string{flagDetach}, workers...), setup: setupLocal},
		docker.Name: {flags: append([]string{flagDeployment, flagWorkerCPUs, flagWorkerMemory, flagDockerImage}, workers...), setup: setupDocker},
		static.Name: {flags: []string{flagAddresses}, setup: setupStatic},
	}
}

// bind registers --provider (default def, one of offered) and the other
// provider flags on fs; withLB adds those of vfx lb (--workers, --launch).
func (f *providerFlags) bind(fs *pflag.FlagSet, def string, offered []string, withLB bool) {
	f.fs, f.offered = fs, offered
	fs.StringVar(&f.name, "provider", def, "where workers run: "+strings.Join(offered, ", "))
	fs.StringVar(&f.deployment, flagDeployment, "vfx", "deployment name: labels of the containers, name of their network (--provider docker)")
	fs.Float64Var(&f.cpus, flagWorkerCPUs, 0, "CPU limit of each worker in cores, e.g. 0.5 (--provider docker; 0: the provider's default of 1)")
	sizeVar(fs, &f.memory, flagWorkerMemory, "memory limit of each worker, e.g. 512m or 1GiB (--provider docker; default 512MiB)")
	fs.StringVar(&f.image, flagDockerImage, "", "run workers from this existing image instead of building one from the running vfx (--provider docker)")
	fs.BoolVar(&f.detach, flagDetach, false, "start workers that outlive a killed parent, for the next start to adopt (--provider local)")
	fs.DurationVar(&f.startTimeout, flagStartTimeout, 0, "how long a launch waits for a new worker to answer /health (0: the provider's default, 5s local, 20s docker)")
	fs.DurationVar(&f.stopTimeout, flagStopTimeout, 0, "how long a terminated worker may drain before it is killed (0: the provider's default of 15s)")
	fs.DurationVar(&f.leaseTimeout, flagLeaseTimeout, 0, fmt.Sprintf("how long a worker outlives a load balancer that stopped renewing its lease, killed or frozen, before it drains and exits (0: the default of %v; not with --%s)", provider.DefaultWorkers().LeaseTimeout, flagDetach))
	fs.IntVar(&f.maxWorkers, flagMaxWorkers, 0, fmt.Sprintf("most workers the provider runs at once (0: the provider's default, %d local, %d docker)", local.Default().MaxWorkers, docker.Default().MaxWorkers))
	fs.StringArrayVar(&f.workerArgs, flagWorkerArg, nil, "a flag for every vfx worker, e.g. --worker-arg=--threads=2 (repeatable; not --listen, --id, --store)")
	f.bound = []string{flagDeployment, flagWorkerCPUs, flagWorkerMemory, flagDockerImage, flagDetach, flagStartTimeout, flagStopTimeout, flagLeaseTimeout, flagMaxWorkers, flagWorkerArg}
	if withLB {
		fs.StringSliceVar(&f.addresses, flagAddresses, nil, "worker URLs for --provider static, comma-separated (host:port gets http://)")
		fs.IntVar(&f.launch, flagLaunch, 0, "workers to launch at start (--provider local or docker)")
		f.bound = append(f.bound, flagAddresses, flagLaunch)
	}
}

// providerEnv is what a provider gets from the rest of the command.
type providerEnv struct {
	stateDir string // absolute
	store    string // the metrics store URL the workers record in
	// workerEnv is the workers' extra environment (the worker token):
	// never on their command line.
	workerEnv []string
	// workerToken is sent with the renewals of the workers' leases.
	workerToken provider.Secret
	log         *slog.Logger
}

// providerSetup is a provider chosen and configured from the flags and
// checked, not started yet.
type providerSetup struct {
	name string
	// maxWorkers is the most live workers it runs; 0 for a fixed pool.
	maxWorkers int
	// launch is the number of workers to launch at start (vfx lb).
	launch int
	// config is the provider's own configuration: a local.Config, a
	// docker.Config or the static provider.
	config any
	// start starts the provider for its owner, this process (whose load
	// balancer listens already): it holds the deployment, or fails with
	// an error wrapping owner.ErrOwned while another owner runs.
	start func(ctx context.Context, o owner.Owner) (provider.Provider, error)
	// ownerHint is how to run a second deployment beside a running one,
	// for an owner.ErrOwned error.
	ownerHint string
}

// setup checks every provider flag and returns the chosen provider's
// setup; the error lists every problem, each naming its flag.
func (f *providerFlags) setup(env providerEnv) (providerSetup, error) {
	kinds := providerKinds()
	kind, ok := kinds[f.name]
	switch {
	case !ok:
		return providerSetup{}, fmt.Errorf("--provider: unknown provider %q (valid: %s)", f.name, strings.Join(f.offered, ", "))
	case !slices.Contains(f.offered, f.name):
		return providerSetup{}, fmt.Errorf("--provider: %s cannot be used by this command (valid: %s)", f.name, strings.Join(f.offered, ", "))
	}
	var errs []error
	for _, name := range f.bound {
		if !f.fs.Changed(name) || slices.Contains(kind.flags, name) {
			continue
		}
		var users []string
		for _, n := range f.offered {
			if slices.Contains(kinds[n].flags, name) {
				users = append(users, n)
			}
		}
		errs = append(errs, fmt.Errorf("--%s: --provider %s does not use it (only %s)", name, f.name, strings.Join(users, " and ")))
	}
	if f.launch < 0 {
		errs = append(errs, fmt.Errorf("--%s: must not be negative, got %d", flagLaunch, f.launch))
	}
	s, err := kind.setup(f, env)
	if err != nil {
		errs = append(errs, err)
	}
	s.name, s.launch = f.name, f.launch
	if s.maxWorkers > 0 && f.launch > s.maxWorkers {
		errs = append(errs, fmt.Errorf("--%s: %d workers is more than --%s %d", flagLaunch, f.launch, flagMaxWorkers, s.maxWorkers))
	}
	return s, errors.Join(errs...)
}

// checkPool checks that a pool of up to max workers fits the provider.
func (s providerSetup) checkPool(max int) error {
	if s.maxWorkers > 0 && max > s.maxWorkers {
		return fmt.Errorf("a pool of up to %d workers is more than the %s provider runs: raise --%s (%d)", max, s.name, flagMaxWorkers, s.maxWorkers)
	}
	return nil
}

// workers are the settings of a provider that runs workers.
func (f *providerFlags) workers(env providerEnv) (provider.Workers, error) {
	exe, err := os.Executable()
	if err != nil {
		return provider.Workers{}, fmt.Errorf("find the vfx executable: %w", err)
	}
	return provider.Workers{
		Binary:       exe,
		Args:         f.workerArgs,
		Env:          env.workerEnv,
		Token:        env.workerToken,
		StateDir:     env.stateDir,
		Store:        env.store,
		StartTimeout: f.startTimeout,
		StopTimeout:  f.stopTimeout,
		LeaseTimeout: f.leaseTimeout,
		MaxWorkers:   f.maxWorkers,
		Logger:       env.log,
	}, checkWorkerArgs(f.workerArgs)
}

func setupLocal(f *providerFlags, env providerEnv) (providerSetup, error) {
	w, err := f.workers(env)
	cfg := local.Config{Workers: w, Detach: f.detach}
	if f.detach && f.fs.Changed(flagLeaseTimeout) {
		err = errors.Join(err, fmt.Errorf("--%s: detached workers hold no lease (--%s)", flagLeaseTimeout, flagDetach))
	}
	return providerSetup{
		maxWorkers: cmp.Or(cfg.MaxWorkers, local.Default().MaxWorkers),
		config:     cfg,
		start: func(ctx context.Context, o owner.Owner) (provider.Provider, error) {
			c := cfg
			c.Owner = o
			return local.New(ctx, c)
		},
		ownerHint: "stop it first, or give this one another --state-dir",
	}, errors.Join(err, flagErrors(local.Name, cfg.Validate()))
}

func setupDocker(f *providerFlags, env providerEnv) (providerSetup, error) {
	w, err := f.workers(env)
	cfg := docker.Config{Workers: w, Deployment: f.deployment, Image: f.image, CPUs: f.cpus, Memory: f.memory}
	if f.fs.Changed(flagDockerImage) && f.image == "" {
		err = errors.Join(err, fmt.Errorf("--%s: empty image name", flagDockerImage))
	}
	return providerSetup{
		maxWorkers: cmp.Or(cfg.MaxWorkers, docker.Default().MaxWorkers),
		config:     cfg,
		start: func(ctx context.Context, o owner.Owner) (provider.Provider, error) {
			c := cfg
			c.Owner = o
			return docker.New(ctx, c)
		},
		ownerHint: "stop it first, or give this one another --deployment",
	}, errors.Join(err, flagErrors(docker.Name, cfg.Validate()))
}

func setupStatic(f *providerFlags, _ providerEnv) (providerSetup, error) {
	if len(f.addresses) == 0 {
		return providerSetup{}, fmt.Errorf("--%s: give the worker URLs for --provider static, e.g. --workers http://127.0.0.1:8001,http://127.0.0.1:8002", flagAddresses)
	}
	p, err := static.New(f.addresses, time.Now())
	if err != nil {
		return providerSetup{}, fmt.Errorf("--%s: %w", flagAddresses, err)
	}
	return providerSetup{config: p, start: func(context.Context, owner.Owner) (provider.Provider, error) { return p, nil }}, nil
}

// checkWorkerArgs checks --worker-arg against the flags of vfx worker.
func checkWorkerArgs(args []string) error {
	fs := newWorkerCmd().Flags()
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("--%s: %w", flagWorkerArg, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("--%s: %q: vfx worker takes flags only", flagWorkerArg, fs.Args())
	}
	return nil
}

// flagErrors rewrites the problems of a provider's configuration to name
// the flags that set the fields; those of fields no flag sets name the
// provider.
func flagErrors(name string, err error) error {
	if err == nil {
		return nil
	}
	var errs []error
	for _, e := range unjoin(err) {
		var fe *provider.FieldError
		if errors.As(e, &fe) {
			if flag := fieldFlag(fe.Field); flag != "" {
				errs = append(errs, fmt.Errorf("--%s: %w", flag, fe.Err))
				continue
			}
		}
		errs = append(errs, fmt.Errorf("--provider %s: %w", name, e))
	}
	return errors.Join(errs...)
}

// unjoin returns the errors joined in err (err itself if it is not a join).
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// fieldFlag is the flag that sets a provider configuration field, "" if
// none does.
func fieldFlag(field string) string {
	switch field {
	case "args":
		return flagWorkerArg
	case "start timeout":
		return flagStartTimeout
	case "stop timeout":
		return flagStopTimeout
	case "lease timeout":
		return flagLeaseTimeout
	case "max workers":
		return flagMaxWorkers
	case "deployment":
		return flagDeployment
	case "worker cpus":
		return flagWorkerCPUs
	case "worker memory":
		return flagWorkerMemory
	case "state dir":
		return "state-dir"
	case "store":
		return "store"
	}
	return ""
}

// defaultHandler hands every record to the handler of the default logger
// of the moment, with the attributes and groups bound to it, so that a
// provider set up before vfx up opens its log (ownership first, then the
// log in the state directory) logs there.
type defaultHandler struct {
	bind []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, in order
}

func (d defaultHandler) handler() slog.Handler {
	h := slog.Default().Handler()
	for _, b := range d.bind {
		h = b(h)
	}
	return h
}

func (d defaultHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return d.handler().Enabled(ctx, l)
}

func (d defaultHandler) Handle(ctx context.Context, r slog.Record) error {
	return d.handler().Handle(ctx, r)
}

func (d defaultHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return defaultHandler{bind: append(d.bind[:len(d.bind):len(d.bind)], func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })}
}

func (d defaultHandler) WithGroup(name string) slog.Handler {
	return defaultHandler{bind: append(d.bind[:len(d.bind):len(d.bind)], func(h slog.Handler) slog.Handler { return h.WithGroup(name) })}
}
