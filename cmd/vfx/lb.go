package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/console"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker"
	"github.com/specialvfx/vfx/internal/provider/local"
	"github.com/specialvfx/vfx/internal/provider/owner"
	"github.com/specialvfx/vfx/internal/provider/static"
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
	admin    *tokenFlag
	worker   *tokenFlag
}

// lbTokens are the secrets of a load balancer.
type lbTokens struct {
	admin  access.Secret // required by /api/v1/* and /metrics
	worker access.Secret // sent to the workers, handed to those it starts
}

func (f *lbFlags) bind(fs *pflag.FlagSet) {
	f.cfg = proxy.Default()
	bindProxyFlags(fs, &f.cfg)
	fs.StringVar(&f.listen, "listen", defaultListen, "address the load balancer listens on, host:port (beyond 127.0.0.1 it needs an admin token)")
	fs.StringVar(&f.store, "store", "", `metrics store URL the cost model trains from (default $`+metrics.EnvStore+` or sqlite:STATE-DIR/metrics.db); "none" for no store`)
	f.stateDir = "vfx-data"
	pathVar(fs, &f.stateDir, "state-dir", "directory of the metrics store, worker state files and logs (when not given: the state_dir of --autoscale-config, if any)")
	f.admin, f.worker = adminTokenFlag(), workerTokenFlag()
	f.admin.bind(fs)
	f.worker.bind(fs)
}

// tokens reads both tokens and refuses a listen address beyond this
// machine without an admin token.
func (f *lbFlags) tokens() (lbTokens, error) {
	admin, err := f.admin.secret()
	if err != nil {
		return lbTokens{}, usageError(err)
	}
	worker, err := f.worker.secret()
	if err != nil {
		return lbTokens{}, usageError(err)
	}
	if err := checkExposure(f.listen, admin); err != nil {
		return lbTokens{}, err
	}
	return lbTokens{admin: admin, worker: worker}, nil
}

// workerEnv is the environment that hands the worker token to the
// workers a provider starts (never their command line, which ps shows).
func (t lbTokens) workerEnv() []string {
	if t.worker.Empty() {
		return nil
	}
	return []string{envWorkerToken + "=" + t.worker.Reveal()}
}

// useStateDir settles the state directory: --state-dir when given on the
// command line, else the state_dir of the --autoscale-config file, else
// the default; made absolute. The autoscaler's state files go there too.
func (f *lbFlags) useStateDir(fs *pflag.FlagSet, acfg *autoscaleConfig) error {
	dir := f.stateDir
	if !fs.Changed("state-dir") && acfg != nil && acfg.Loop.StateDir != "" {
		var err error
		if dir, err = expandHome(acfg.Loop.StateDir); err != nil {
			return fmt.Errorf("autoscaler config: state_dir: %w", err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("--state-dir: %w", err)
	}
	f.stateDir = abs
	if acfg != nil {
		acfg.Loop.StateDir = abs
	}
	return nil
}

// storeURL is --store, else $VFX_STORE, else the SQLite file in the state
// directory; "~" is expanded and a relative SQLite path made absolute, so
// that workers started elsewhere share the file.
func (f *lbFlags) storeURL() (string, error) {
	u := f.store
	if u == "" {
		u = envOr(metrics.EnvStore, "sqlite:"+filepath.Join(f.stateDir, "metrics.db"))
	}
	u, err := resolveStoreURL(u, true)
	if err == nil {
		err = checkStoreScheme(u)
	}
	if err != nil {
		return "", usageError(fmt.Errorf("--store: %w", err))
	}
	return u, nil
}

// check reports every problem of the load balancer's own settings (its
// configuration, the routing policy) before anything starts.
func (f *lbFlags) check() error {
	var errs []error
	if err := f.cfg.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("load balancer config: %w", err))
	}
	if _, err := balancer.New(f.cfg.Policy); err != nil {
		errs = append(errs, fmt.Errorf("--policy: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return usageError(err)
	}
	return nil
}

// bindListener binds the load balancer's address, before anything is started:
// a taken port fails the command before it has launched or adopted a
// worker. When the address is taken by the vfx that owns the state
// directory, the error names it.
func (f *lbFlags) bindListener() (net.Listener, error) {
	ln, err := net.Listen("tcp", f.listen)
	if err == nil {
		return ln, nil
	}
	err = fmt.Errorf("--listen %s: %w", f.listen, err)
	if errors.Is(err, syscall.EADDRINUSE) {
		if o, held := owner.Peek(local.LockPath(f.stateDir)); held {
			return nil, fmt.Errorf("%w: the vfx that owns state directory %s is there (%s)", err, f.stateDir, o)
		}
	}
	return nil, err
}

func newLBCmd() *cobra.Command {
	var (
		f  lbFlags
		pf providerFlags
		as *autoscaleFlags
	)
	cmd := &cobra.Command{
		Use:   "lb",
		Short: "Run the load balancer alone, in front of workers a provider lists",
		Long: `Run the cost-aware load balancer in front of workers.

With --provider static (the default) it routes to the workers given with
--workers, which someone else started and stops: that pool is fixed, no
autoscaler runs and the --min, --max and --scale-* flags do not apply. With
--provider local or docker it owns that provider's pool (one owner per
state directory or Docker deployment: while another vfx runs it, vfx lb
refuses, naming it; workers a killed owner left are adopted; --launch N
starts N more), the autoscaler grows and shrinks it between --min and --max
(default 1 to 4, policy backlog; --scale-policy fixed --min N --max N keeps
N), draining a worker before it terminates it, and the pool is terminated
on exit (a second Ctrl-C kills it at once). Every flag is checked, and the
listener bound, before anything starts; a provider flag the provider does
not use is an error.

Every request is decoded and validated like a worker would, its cost in work
units predicted by the cost model (trained from the metrics store at start
and every --train-interval), and sent to the worker the --policy picks.
Requests no worker can take wait in a bounded queue (--queue-len,
--queue-timeout); a worker that fails before answering is skipped and the
request retried on another one (--max-retries). An attempt that outlives its
deadline (--attempt-timeout-min + --attempt-timeout-factor × its predicted
time) takes its worker out of service until it answers again, and the
request is hedged on another worker, within --hedge-budget; the first answer
wins.

It listens on 127.0.0.1:8000 unless --listen says otherwise. Beyond this
machine it refuses to start without an admin token (--admin-token-file
FILE or $` + envAdminToken + `), which /api/v1/* (state, POST
/api/v1/workers/ID/drain, PUT /api/v1/autoscaler) and /metrics then
require as "Authorization: Bearer TOKEN". A worker token
(--worker-token-file FILE or $` + envWorkerToken + `) is sent with every
request to the workers and handed to the workers the provider starts,
through their environment.`,
		Example: `  vfx worker --listen 127.0.0.1:8001 --id w1 &
  vfx worker --listen 127.0.0.1:8002 --id w2 &
  vfx lb --workers http://127.0.0.1:8001,http://127.0.0.1:8002 --listen 127.0.0.1:8000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := slog.Default()
			tokens, err := f.tokens()
			if err != nil {
				return err
			}
			owned := pf.name != static.Name
			var acfg *autoscaleConfig
			if owned {
				c, err := as.config("")
				if err != nil {
					return err
				}
				acfg = &c
			}
			if err := f.useStateDir(cmd.Flags(), acfg); err != nil {
				return err
			}
			storeURL, err := f.storeURL()
			if err != nil {
				return err
			}
			if err := f.check(); err != nil {
				return err
			}
			setup, err := pf.setup(providerEnv{stateDir: f.stateDir, store: storeURL, workerEnv: tokens.workerEnv(), workerToken: tokens.worker, log: log})
			if err != nil {
				return err
			}
			if owned {
				if err := setup.checkPool(acfg.Scaling.Max); err != nil {
					return err
				}
			} else if changed := changedFlags(cmd.Flags(), as); len(changed) > 0 {
				log.Warn("--provider static keeps its fixed list of workers: autoscaler flags ignored", "flags", changed)
			}
			// The log is on standard error: progress is plain lines only,
			// for the steps that take over two seconds.
			con := console.New(cmd.OutOrStdout(), console.Options{PlainAfter: 2 * time.Second})
			step := con.Start("starting the " + setup.name + " provider")
			ln, prov, err := startProvider(ctx, &f, setup)
			if err := step.Done(err); err != nil {
				return err
			}
			var scaling *autoscaling
			if owned {
				scaling = newAutoscaling(ctx, *acfg, as.allVM, prov, log)
			}
			var launch func(context.Context) error
			if setup.launch > 0 {
				launch = func(ctx context.Context) error {
					step := con.Start(fmt.Sprintf("starting %d %s", setup.launch, workerNoun(setup.name, setup.launch)))
					if _, err := prov.Launch(ctx, setup.launch); step.Done(err) != nil {
						return fmt.Errorf("launch %d workers: %w", setup.launch, err)
					}
					return nil
				}
			}
			return runLB(ctx, lbSetup{
				flags: f, tokens: tokens, storeURL: storeURL, provName: setup.name, prov: prov, ownsPool: owned, log: log,
				ln: ln, launch: launch, notice: cmd.ErrOrStderr(),
				autoscale: scaling, con: con,
				serving: func(s *lbServing) {
					fmt.Fprintf(cmd.OutOrStdout(), "load balancer on %s (policy %s, provider %s, %d workers); state at %s/api/v1/state\n",
						s.url, f.cfg.Policy, setup.name, s.workers, s.url)
				},
			})
		},
	}
	fs := cmd.Flags()
	f.bind(fs)
	pf.bind(fs, static.Name, []string{static.Name, local.Name, docker.Name}, true)
	as = addAutoscaleFlags(fs)
	return cmd
}

// lbSetup is what runLB runs.
type lbSetup struct {
	flags    lbFlags
	tokens   lbTokens
	storeURL string
	provName string
	prov     provider.Provider
	// ownsPool: terminate the provider's workers (Close) on exit.
	ownsPool bool
	log      *slog.Logger
	// ln is the load balancer's listener, bound before the provider
	// started (startProvider).
	ln net.Listener
	// launch, when not nil, launches the first workers once the store is
	// open, before the load balancer serves.
	launch func(ctx context.Context) error
	// notice receives the lines a user stopping the command reads
	// (standard error; nil: none).
	notice io.Writer
	// autoscale, when not nil, drives the pool and the provider once the
	// pool exists (see autoscaling).
	autoscale *autoscaling
	// serving is called once the load balancer accepts requests.
	serving func(*lbServing)
	// con shows the progress of the steps of start-up and shutdown that
	// take a while (nil: not shown).
	con *console.Console
	// wrap, when not nil, wraps the load balancer's handler (vfx up
	// measures the requests for its status line).
	wrap func(http.Handler) http.Handler
}

// lbServing describes a running load balancer.
type lbServing struct {
	url     string // base URL to send requests to
	workers int    // workers ready
	srv     *proxy.Server
	pool    *proxy.Pool
}

// startProvider binds the load balancer's listener and then starts the
// provider, with this process, listening there, as the owner of its
// workers. A deployment another vfx owns is refused in one line naming it.
func startProvider(ctx context.Context, f *lbFlags, setup providerSetup) (net.Listener, provider.Provider, error) {
	ln, err := f.bindListener()
	if err != nil {
		return nil, nil, err
	}
	prov, err := setup.start(ctx, owner.Self(baseURL(ln.Addr()), time.Now()))
	if err != nil {
		ln.Close()
		if errors.Is(err, owner.ErrOwned) && setup.ownerHint != "" {
			return nil, nil, fmt.Errorf("%w: %s", err, setup.ownerHint)
		}
		return nil, nil, fmt.Errorf("provider %s: %w", setup.name, err)
	}
	return ln, prov, nil
}

// runLB runs the load balancer until ctx ends, then shuts it down in order:
// stop accepting, finish (or hand back with 503) queued and in-flight
// requests, terminate the workers it owns, flush and close the store. A
// second stop signal (stopNow) cuts the waits short: the requests left
// are handed back at once and the workers killed.
func runLB(ctx context.Context, s lbSetup) (err error) {
	cfg := s.flags.cfg
	log := s.log
	con := s.con
	if con == nil {
		con = console.New(io.Discard, console.Options{})
	}
	notice := s.notice
	if notice == nil {
		notice = io.Discard
	}
	returned := make(chan struct{})
	defer close(returned)
	defer func() {
		if s.ownsPool {
			step := con.Start("stopping the workers")
			closeProvider(ctx, s.prov, log)
			step.Done(nil)
		}
	}()
	defer s.ln.Close()
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
	if s.launch != nil {
		if err := s.launch(ctx); err != nil {
			return err
		}
	}

	var speeds proxy.Speeds = estimator.NewSpeeds(estimator.SpeedOptions{})
	if s.autoscale != nil {
		speeds = s.autoscale.speeds(speeds)
	}
	pool := proxy.NewPool(proxy.PoolOptions{Config: cfg, Policy: policy, Speeds: speeds, Log: log})
	srv, err := proxy.New(proxy.Options{
		Config: cfg, Pool: pool, Estimator: estimator.New(estimator.Options{}), Speeds: speeds,
		History: history, Recorder: recorder, Limits: wire.DefaultLimits(),
		Provider: s.provName, AdminToken: s.tokens.admin, WorkerToken: s.tokens.worker, Log: log,
	})
	if err != nil {
		return err
	}
	ln := s.ln
	step := con.Start("training the cost model from the metrics store")
	n, trainErr := srv.Train(ctx)
	if step.Done(trainErr) != nil {
		log.Warn("cost model: could not train from the store", "store", s.storeURL, "err", trainErr)
	} else {
		log.Info("cost model trained from the store", "samples", n, "store", s.storeURL)
	}

	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	srv.Start(loopCtx, s.prov)
	var waitStarted func()
	if s.autoscale != nil {
		if waitStarted, err = s.autoscale.start(loopCtx, srv, pool, rec); err != nil {
			return err
		}
	}

	handler := srv.Handler()
	if s.wrap != nil {
		handler = s.wrap(handler)
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	log.Info("load balancer listening", "address", ln.Addr().String(), "policy", cfg.Policy, "provider", s.provName)
	if s.serving != nil {
		step := con.Start("waiting for the workers to be ready")
		ready := waitReady(ctx, pool, 15*time.Second)
		step.Done(nil)
		s.serving(&lbServing{url: baseURL(ln.Addr()), workers: ready, srv: srv, pool: pool})
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return fmt.Errorf("load balancer server: %w", err)
	}
	pending := srv.Handling()
	fmt.Fprintf(notice, "stopping: %s (Ctrl-C again to stop now)\n", finishing(pending))
	if now := stopNow(ctx); now != nil {
		go func() {
			select {
			case <-now:
				fmt.Fprintln(notice, "stopping now: the requests still running get 503, the workers are killed")
			case <-returned:
			}
		}()
	}
	log.Info("shutting down: no new requests; finishing the queued and in-flight ones", "requests", pending, "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	sctx, cancelNow := untilStopNow(ctx, sctx)
	defer cancelNow()
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Shutdown(sctx) }()
	step = con.Start("stopping the load balancer: finishing the queued and in-flight requests")
	_ = srv.Shutdown(sctx) // its one error is a count Drained gives
	step.Done(nil)
	logDrained(log, srv.Drained())
	select {
	case <-httpDone:
	case <-time.After(5 * time.Second):
	}
	step.Done(nil)
	hs.Close()
	stopLoops()
	if waitStarted != nil {
		waitStarted()
	}
	return nil
}

// finishing says what a shutdown waits for.
func finishing(requests int) string {
	switch requests {
	case 0:
		return "no request to finish"
	case 1:
		return "finishing 1 request"
	}
	return fmt.Sprintf("finishing %d requests", requests)
}

// logDrained logs what became of the requests a shutdown waited for.
func logDrained(log *slog.Logger, d proxy.Drained) {
	attrs := []any{"finished", d.Finished, "handed_back", d.HandedBack, "cut", d.Cut, "unfinished", d.Unfinished}
	switch {
	case d == proxy.Drained{}:
		return
	case d.HandedBack > 0:
		log.Warn("requests still running at shutdown were handed back with 503", attrs...)
	case d.Unfinished > 0:
		log.Warn("requests still running when the load balancer stopped", attrs...)
	default:
		log.Info("requests running at shutdown finished", attrs...)
	}
}

// waitReady waits until every worker of the pool is ready (or timeout) and
// returns how many are. An empty pool (vfx up --min 0) is not waited for.
func waitReady(ctx context.Context, pool *proxy.Pool, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		snap := pool.Snapshot()
		counts := snap.CountByState()
		if len(snap.Workers) == 0 || counts[lifecycle.Booting] == 0 && counts[lifecycle.Ready] > 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return counts[lifecycle.Ready]
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closeProvider terminates the workers of a provider that owns them,
// each after its own drain, or at once from ctx's second stop signal on.
func closeProvider(ctx context.Context, p provider.Provider, log *slog.Logger) {
	c, ok := p.(provider.Closer)
	if !ok {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 90*time.Second)
	defer cancel()
	cctx, cancelNow := untilStopNow(ctx, cctx)
	defer cancelNow()
	if err := c.Close(cctx); err != nil {
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
