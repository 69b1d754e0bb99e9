package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/specialvfx/vfx/internal/autoscaler/runner"
	"github.com/specialvfx/vfx/internal/autoscaler/runner/lbpool"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/proxy"
)

// autoscaling is the autoscaler of a load balancer whose provider can
// launch workers: the lbSetup of vfx up and vfx lb carries one.
type autoscaling struct {
	cfg autoscaleConfig
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

func newAutoscaling(stop context.Context, cfg autoscaleConfig, allVM bool, prov provider.Provider, log *slog.Logger) *autoscaling {
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
	if dir := a.cfg.Loop.StateDir; dir != "" {
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
		Config: a.cfg.Scaling, Loop: a.cfg.Loop, Pool: lbpool.New(pool, a.tp), Provider: a.prov, Recorder: recorder, Log: a.log,
		AllVMInstances: a.allVM,
	})
	if err != nil {
		return nil, err
	}
	srv.SetAutoscaler(func() any { return r.Snapshot() })
	srv.SetScaleBounds(r.SetBounds)
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
