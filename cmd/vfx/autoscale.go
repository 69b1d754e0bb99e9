package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/autoscaler/runner"
	"github.com/specialvfx/vfx/internal/autoscaler/runner/lbpool"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/proxy"
)

// autoscaleFlags are the autoscaler's flags of the commands that run it
// (vfx up, vfx lb): those of autoscaler.Config.BindFlags plus
// --autoscale-config and --all-vm-instances. Call config after the flags
// are parsed.
type autoscaleFlags struct {
	own  *pflag.FlagSet // the autoscaler's flags as bound
	file string
	// allVM asks for the original's allVmInstances.xml in the state
	// directory.
	allVM bool
	// added are the names of the flags registered on the command; a flag
	// the command already had (e.g. vfx up's own --state-dir) is left out
	// and the command supplies its value.
	added map[string]bool
}

// addAutoscaleFlags registers the autoscaler's flags on fs with
// autoscaler.Default() as their defaults. Flags fs already has keep their
// meaning.
func addAutoscaleFlags(fs *pflag.FlagSet) *autoscaleFlags {
	a := &autoscaleFlags{own: pflag.NewFlagSet("autoscaler", pflag.ContinueOnError), added: map[string]bool{}}
	cfg := autoscaler.Default()
	cfg.BindFlags(a.own)
	a.own.VisitAll(func(f *pflag.Flag) {
		if fs.Lookup(f.Name) != nil {
			return
		}
		fs.AddFlag(f)
		a.added[f.Name] = true
	})
	fs.StringVar(&a.file, "autoscale-config", "", "YAML file of autoscaler settings (keys: min, max, policy, target_utilization, interval, …; flags override it)")
	fs.BoolVar(&a.allVM, "all-vm-instances", false, "also write the original system's allVmInstances.xml (the ready workers, in its format) beside VMState.xml")
	return a
}

// changedFlags lists the autoscaler flags given on the command line.
func changedFlags(fs *pflag.FlagSet, a *autoscaleFlags) []string {
	var names []string
	for name := range a.added {
		if f := fs.Lookup(name); f != nil && f.Changed {
			names = append(names, "--"+name)
		}
	}
	for _, name := range []string{"autoscale-config", "all-vm-instances"} {
		if f := fs.Lookup(name); f != nil && f.Changed {
			names = append(names, "--"+name)
		}
	}
	slices.Sort(names)
	return names
}

// config is the autoscaler's configuration: autoscaler.Default(),
// overlaid by the --autoscale-config file, then by the flags given on the
// command line; stateDir is where the state files go unless the file or a
// --state-dir flag of the autoscaler's own says otherwise. It is
// validated.
func (a *autoscaleFlags) config(stateDir string) (autoscaler.Config, error) {
	cfg := autoscaler.Default()
	if a.file != "" {
		fc, err := autoscaler.LoadFile(a.file)
		if err != nil {
			return cfg, err
		}
		cfg = fc
	}
	if cfg.StateDir == "" {
		cfg.StateDir = stateDir
	}
	// Re-apply the flags set on the command line over the file.
	fs := pflag.NewFlagSet("autoscaler", pflag.ContinueOnError)
	cfg.BindFlags(fs)
	var errs []error
	a.own.VisitAll(func(f *pflag.Flag) {
		if !a.added[f.Name] || !f.Changed {
			return
		}
		if err := fs.Set(f.Name, f.Value.String()); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", f.Name, err))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("autoscaler config: %w", err)
	}
	return cfg, nil
}

// autoscaling is the autoscaler of a load balancer whose provider can
// launch workers: the lbSetup of vfx up and vfx lb carries one.
type autoscaling struct {
	cfg autoscaler.Config
	// allVM also writes allVmInstances.xml (runner.Options.AllVMInstances).
	allVM bool
	prov  provider.Provider
	// stop is the command's context: scaling stops as soon as it ends,
	// before the load balancer finishes its requests, so that nothing is
	// launched or drained during a shutdown (the provider's Close
	// terminates the workers, draining ones included).
	stop context.Context
	tp   *lbpool.Throughput
	log  *slog.Logger
}

func newAutoscaling(stop context.Context, cfg autoscaler.Config, allVM bool, prov provider.Provider, log *slog.Logger) *autoscaling {
	return &autoscaling{cfg: cfg, allVM: allVM, prov: prov, stop: stop, tp: lbpool.NewThroughput(0, nil), log: log}
}

// speeds passes the load balancer's speed observations on to the
// autoscaler's throughput measurement too.
func (a *autoscaling) speeds(s proxy.Speeds) proxy.Speeds { return lbpool.Tee(s, a.tp) }

// start runs the autoscaler loop over the load balancer's pool and the
// provider until ctx or the command's context ends, and shows its state
// in the state API. wait returns once the loop has stopped (its launches
// and drains included).
func (a *autoscaling) start(ctx context.Context, srv *proxy.Server, pool *proxy.Pool, rec *metrics.Recorder) (wait func(), err error) {
	if dir := a.cfg.StateDir; dir != "" {
		// Fail now rather than run without the state files.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("autoscaler state dir: %w", err)
		}
	}
	var recorder runner.Recorder
	if rec != nil {
		recorder = rec
	}
	r, err := runner.New(runner.Options{
		Config: a.cfg, Pool: lbpool.New(pool, a.tp), Provider: a.prov, Recorder: recorder, Log: a.log,
		AllVMInstances: a.allVM,
	})
	if err != nil {
		return nil, err
	}
	srv.SetAutoscaler(func() any { return r.Snapshot() })
	ctx, cancel := context.WithCancel(ctx)
	stopAfter := context.AfterFunc(a.stop, cancel)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			a.log.Error("autoscaler stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		stopAfter()
	}, nil
}
