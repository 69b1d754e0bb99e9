package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
	_ "github.com/specialvfx/vfx/internal/provider/docker" // registers "docker"
	_ "github.com/specialvfx/vfx/internal/provider/local"  // registers "local"
	_ "github.com/specialvfx/vfx/internal/provider/static" // registers "static"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/wire"
)

func init() { addCommand(newLBCmd) }

// lbFlags are the flags vfx lb and vfx up share.
type lbFlags struct {
	cfg      proxy.Config
	listen   string
	store    string
	stateDir string
}

func (f *lbFlags) bind(fs *pflag.FlagSet, listenDefault string) {
	f.cfg = proxy.Default()
	bindProxyFlags(fs, &f.cfg)
	fs.StringVar(&f.listen, "listen", listenDefault, "address the load balancer listens on, host:port")
	fs.StringVar(&f.store, "store", "", `metrics store URL the cost model trains from (default $`+metrics.EnvStore+` or sqlite:STATE-DIR/metrics.db); "none" for no store`)
	fs.StringVar(&f.stateDir, "state-dir", "vfx-data", "directory of the metrics store, worker state files and logs")
}

// storeURL is --store, else $VFX_STORE, else the SQLite file in the state
// directory; a relative SQLite path is made absolute so that workers
// started elsewhere share the file.
func (f *lbFlags) storeURL() (string, error) {
	u := f.store
	if u == "" {
		u = envOr(metrics.EnvStore, "sqlite:"+filepath.Join(f.stateDir, "metrics.db"))
	}
	if strings.EqualFold(u, "none") {
		return "none", nil
	}
	scheme, rest, err := metrics.ParseURL(u)
	if err != nil {
		return "", fmt.Errorf("--store: %w", err)
	}
	if scheme == "sqlite" && !filepath.IsAbs(rest) {
		abs, err := filepath.Abs(rest)
		if err != nil {
			return "", fmt.Errorf("--store: %w", err)
		}
		u = "sqlite:" + abs
	}
	return u, nil
}

func newLBCmd() *cobra.Command {
	var (
		f          lbFlags
		provName   string
		addresses  []string
		launch     int
		deployment string
		res        workerResources
		as         *autoscaleFlags
	)
	cmd := &cobra.Command{
		Use:   "lb",
		Short: "Run the load balancer alone, in front of workers a provider lists",
		Long: `Run the cost-aware load balancer in front of workers.

With --provider static (the default) it routes to the workers given with
--workers, which someone else started and stops: that pool is fixed, no
autoscaler runs and the --min, --max and --scale-* flags do not apply. With
--provider local or docker it follows that provider's pool (workers
recorded in --state-dir are adopted; --launch N starts N more), the
autoscaler grows and shrinks it between --min and --max (default 1 to 4,
policy backlog; --scale-policy fixed --min N --max N keeps N), draining a
worker before it terminates it, and the pool is terminated on exit.

Every request is decoded and validated like a worker would, its cost in work
units predicted by the cost model (trained from the metrics store at start
and every --train-interval), and sent to the worker the --policy picks.
Requests no worker can take wait in a bounded queue (--queue-len,
--queue-timeout); a worker that fails before answering is skipped and the
request retried on another one (--max-retries).`,
		Example: `  vfx worker --listen 127.0.0.1:8001 --id w1 &
  vfx worker --listen 127.0.0.1:8002 --id w2 &
  vfx lb --workers http://127.0.0.1:8001,http://127.0.0.1:8002 --listen 127.0.0.1:8000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := slog.Default()
			storeURL, err := f.storeURL()
			if err != nil {
				return err
			}
			if provName == "static" && len(addresses) == 0 {
				return errors.New("--workers: give the worker URLs for --provider static, e.g. --workers http://127.0.0.1:8001,http://127.0.0.1:8002")
			}
			if launch < 0 {
				return fmt.Errorf("--launch: must not be negative, got %d", launch)
			}
			popts := provider.Options{
				Addresses: addresses, StateDir: f.stateDir, Store: storeURL,
				Deployment: deployment,
			}
			res.apply(&popts)
			prov, err := provider.New(ctx, provName, popts)
			if err != nil {
				return err
			}
			owned := provName != "static"
			var scaling *autoscaling
			if owned {
				acfg, err := as.config(f.stateDir)
				if err != nil {
					closeProvider(prov, log)
					return err
				}
				scaling = newAutoscaling(ctx, acfg, as.allVM, prov, log)
			} else if changed := changedFlags(cmd.Flags(), as); len(changed) > 0 {
				log.Warn("--provider static keeps its fixed list of workers: autoscaler flags ignored", "flags", changed)
			}
			if launch > 0 {
				if _, err := prov.Launch(ctx, launch); err != nil {
					closeProvider(prov, log)
					return fmt.Errorf("launch %d workers: %w", launch, err)
				}
			}
			return runLB(ctx, lbSetup{
				flags: f, storeURL: storeURL, provName: provName, prov: prov, ownsPool: owned, log: log,
				autoscale: scaling,
				serving: func(s *lbServing) {
					fmt.Fprintf(cmd.OutOrStdout(), "load balancer on %s (policy %s, provider %s, %d workers); state at %s/api/v1/state\n",
						s.url, f.cfg.Policy, provName, s.workers, s.url)
				},
			})
		},
	}
	fs := cmd.Flags()
	f.bind(fs, ":8000")
	fs.StringVar(&provName, "provider", "static", "worker provider: "+strings.Join(provider.Names(), ", "))
	fs.StringSliceVar(&addresses, "workers", nil, "worker URLs for --provider static, comma-separated (host:port gets http://)")
	fs.IntVar(&launch, "launch", 0, "workers to launch at start (--provider local or docker)")
	fs.StringVar(&deployment, "deployment", "vfx", "deployment name (--provider docker: labels and network)")
	res.bind(fs)
	as = addAutoscaleFlags(fs)
	return cmd
}

// lbSetup is what runLB runs.
type lbSetup struct {
	flags    lbFlags
	storeURL string
	provName string
	prov     provider.Provider
	// ownsPool: terminate the provider's workers (Close) on exit.
	ownsPool bool
	log      *slog.Logger
	// autoscale, when not nil, drives the pool and the provider once the
	// pool exists (see autoscaling).
	autoscale *autoscaling
	// serving is called once the load balancer accepts requests.
	serving func(*lbServing)
}

// lbServing describes a running load balancer.
type lbServing struct {
	url     string // base URL to send requests to
	workers int    // workers ready
	srv     *proxy.Server
}

// runLB runs the load balancer until ctx ends, then shuts it down in order:
// stop accepting, finish (or hand back with 503) queued and in-flight
// requests, terminate the workers it owns, flush and close the store.
func runLB(ctx context.Context, s lbSetup) (err error) {
	cfg := s.flags.cfg
	log := s.log
	defer func() {
		if s.ownsPool {
			closeProvider(s.prov, log)
		}
	}()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("load balancer config: %w", err)
	}
	softMemoryLimit(cfg.MaxBuffered, log)
	policy, err := balancer.New(cfg.Policy)
	if err != nil {
		return fmt.Errorf("--policy: %w", err)
	}

	var (
		history  proxy.History
		recorder proxy.Recorder
		rec      *metrics.Recorder
	)
	if s.storeURL != "none" {
		store, err := stores().Open(ctx, s.storeURL)
		if err != nil {
			return fmt.Errorf("--store: %w", err)
		}
		rec = metrics.NewRecorder(store, metrics.RecorderOptions{}, log)
		history, recorder = store, rec
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := rec.Close(cctx); err != nil {
				log.Error("flushing the metrics store", "err", err)
			}
			if err := store.Close(); err != nil {
				log.Error("closing the metrics store", "err", err)
			}
		}()
	}

	var speeds proxy.Speeds = estimator.NewSpeeds(estimator.SpeedOptions{})
	if s.autoscale != nil {
		speeds = s.autoscale.speeds(speeds)
	}
	pool := proxy.NewPool(proxy.PoolOptions{Config: cfg, Policy: policy, Speeds: speeds, Log: log})
	srv, err := proxy.New(proxy.Options{
		Config: cfg, Pool: pool, Estimator: estimator.New(estimator.Options{}), Speeds: speeds,
		History: history, Recorder: recorder, Limits: wire.DefaultLimits(),
		Provider: s.provName, Log: log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.flags.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", s.flags.listen, err)
	}
	if n, err := srv.Train(ctx); err != nil {
		log.Warn("cost model: could not train from the store", "store", s.storeURL, "err", err)
	} else {
		log.Info("cost model trained from the store", "samples", n, "store", s.storeURL)
	}

	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	srv.Start(loopCtx, s.prov)
	var waitStarted func()
	if s.autoscale != nil {
		if waitStarted, err = s.autoscale.start(loopCtx, srv, pool, rec); err != nil {
			ln.Close()
			return err
		}
	}

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	log.Info("load balancer listening", "address", ln.Addr().String(), "policy", cfg.Policy, "provider", s.provName)
	if s.serving != nil {
		ready := waitReady(ctx, pool, 15*time.Second)
		s.serving(&lbServing{url: baseURL(ln.Addr()), workers: ready, srv: srv})
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return fmt.Errorf("load balancer server: %w", err)
	}
	log.Info("shutting down: no new requests; finishing the queued and in-flight ones", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Shutdown(sctx) }()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	select {
	case <-httpDone:
	case <-time.After(5 * time.Second):
	}
	hs.Close()
	stopLoops()
	if waitStarted != nil {
		waitStarted()
	}
	return nil
}

// waitReady waits until every worker of the pool is ready (or timeout) and
// returns how many are.
func waitReady(ctx context.Context, pool *proxy.Pool, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		counts := pool.Snapshot().CountByState()
		if counts[lifecycle.Booting] == 0 && counts[lifecycle.Ready] > 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return counts[lifecycle.Ready]
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closeProvider terminates the workers of a provider that owns them.
func closeProvider(p provider.Provider, log *slog.Logger) {
	c, ok := p.(provider.Closer)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		log.Error("stopping the workers", "err", err)
		return
	}
	log.Info("workers stopped")
}

// baseURL is the URL clients on this machine reach addr at.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
