package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/worker"
)

func init() { addCommand(newWorkerCmd) }

func newWorkerCmd() *cobra.Command {
	cfg := worker.DefaultConfig()
	var (
		listen      string
		storeURL    string
		id          string
		maxInflight int
		maxMemory   int64
		exitWithPar bool
		token       = workerTokenFlag()
	)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Serve the ray tracer, blur and enhance over HTTP (the original's API, plus /health, /status, /metrics)",
		Long: `Serve the workloads over HTTP with the original system's API:

  POST /raytracer?scols=&srows=&wcols=&wrows=&coff=&roff=&aa=&multi=   JSON {"scene": "...", "texmap": [...]}
  POST /blurimage      data:image/<fmt>;base64,...
  POST /enhanceimage   data:image/<fmt>;base64,...

and GET /health, /status (JSON), /metrics (Prometheus), / (200, empty).
Every compute request is recorded in the metrics store (--store; "none"
keeps no records). On SIGTERM or SIGINT the worker reports "draining" on
/health, refuses new work with 503, finishes the requests in flight (at
most --drain-timeout), flushes the store and exits 0.

The worker listens on 127.0.0.1:8000 unless --listen says otherwise. With
a worker token (--worker-token-file FILE or $` + envWorkerToken + `; the
load balancer hands its own to the workers it starts) the compute paths,
/status and /metrics answer 401 to requests without
"Authorization: Bearer TOKEN"; /health and / stay open for probes.

With --exit-with-parent the worker also shuts down gracefully when the
process that started it goes away (it polls its parent pid every 500 ms).
The local provider starts workers with that flag and, on Linux, also sets
the parent-death signal (Pdeathsig = SIGTERM), so a killed launcher never
leaves workers behind.

With --lease-timeout D the worker holds a lease that its load balancer
renews with every GET /health carrying the X-Lease-Holder header (and the
worker token, when the worker has one: 401 otherwise); when no renewal
has come for D (from the start, then from the last one), the worker
drains and exits as on SIGTERM. The local and docker providers start
their workers with it (--worker-lease-timeout of vfx up and vfx lb,
default 30s), so a load balancer that is killed or frozen leaves no
worker running beyond it, container or process.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if maxInflight != 0 {
				cfg.MaxInflight = maxInflight
			}
			if maxMemory != 0 {
				cfg.MaxMemory = maxMemory
			}
			sec, err := token.secret()
			if err != nil {
				return usageError(err)
			}
			cfg.Token = sec
			return runWorker(cmd.Context(), cfg, listen, storeURL, id, exitWithPar, slog.Default())
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", defaultListen, "address to listen on, host:port (port 0 picks a free port; :8000 or 0.0.0.0:8000 for every interface)")
	f.StringVar(&storeURL, "store", envOr(metrics.EnvStore, metrics.DefaultURL), `metrics store URL, e.g. sqlite:PATH; "none" keeps no records (env `+metrics.EnvStore+`)`)
	f.StringVar(&id, "id", "", "worker id in records and the X-Worker-Id header (default HOSTNAME:PORT)")
	f.IntVar(&maxInflight, "max-inflight", 0, "compute requests served at once, more get 503 with Retry-After (default 2 × cores)")
	sizeVar(f, &cfg.MaxBodyBytes, "max-body", "largest request body, e.g. 64MiB (413 beyond it)")
	sizeVar(f, &maxMemory, "max-memory", "memory budget for requests' bodies, decoding and pixels, reserved before use, e.g. 2GiB (default half of the memory the worker may use: its cgroup limit, else the machine's); a request that does not fit gets 503 + Retry-After, one that never can 413")
	f.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "time allowed to receive a compute request's body (408 beyond it); a request takes an in-flight slot only once its body has arrived")
	f.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", cfg.ReadHeaderTimeout, "time allowed to read a request's headers")
	f.DurationVar(&cfg.ReadTimeout, "read-timeout", cfg.ReadTimeout, "time allowed to read a whole request other than a compute request's body")
	f.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "time allowed from the end of the request headers to the end of the response; a workload still running near it is cancelled (503); 0 = no limit")
	f.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "how long an idle keep-alive connection stays open")
	f.DurationVar(&cfg.DrainTimeout, "drain-timeout", cfg.DrainTimeout, "on shutdown, how long to wait for requests in flight before cancelling them")
	f.DurationVar(&cfg.SampleInterval, "sample-interval", cfg.SampleInterval, "how often the worker records a sample of itself (CPU %, memory, in flight, health)")
	f.IntVar(&cfg.Threads, "threads", cfg.Threads, "threads one request's workload may use (0 = all cores)")
	f.Int64Var(&cfg.Limits.Scene.MaxPixels, "max-render-pixels", cfg.Limits.Scene.MaxPixels, "largest scols×srows and wcols×wrows of a ray-tracer request")
	f.Int64Var(&cfg.Limits.Image.MaxPixels, "max-image-pixels", cfg.Limits.Image.MaxPixels, "largest width×height of an image to blur or enhance (checked on its header: 413 beyond it)")
	f.BoolVar(&exitWithPar, "exit-with-parent", false, "shut down gracefully when the parent process exits")
	f.DurationVar(&cfg.LeaseTimeout, "lease-timeout", 0, "shut down gracefully when the load balancer has not renewed the worker's lease for this long (a GET /health with the lease header; 0: no lease; providers set it)")
	token.bind(f)
	return cmd
}

func runWorker(ctx context.Context, cfg worker.Config, listen, storeURL, id string, exitWithParent bool, log *slog.Logger) error {
	if exitWithParent {
		var stop context.CancelFunc
		ctx, stop = context.WithCancel(ctx)
		defer stop()
		go wkWatchParent(ctx, os.Getppid(), 500*time.Millisecond, func() {
			log.Info("parent process exited: shutting down")
			stop()
		})
	}
	storeURL, err := resolveStoreURL(storeURL, false)
	if err != nil {
		return usageError(fmt.Errorf("--store: %w", err))
	}
	loopback, err := access.Loopback(listen)
	if err != nil {
		return usageError(fmt.Errorf("--listen: %w", err))
	}
	if !loopback && cfg.Token.Empty() {
		log.Warn("listening beyond this machine without a worker token: anyone who reaches the port can send work and read /status; set --worker-token-file or $"+envWorkerToken, "listen", listen)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", listen, err)
	}
	defer ln.Close()
	if id == "" {
		id = wkDefaultID(ln.Addr())
	}
	cfg.ID = id
	if err := cfg.Validate(); err != nil {
		return err
	}
	softMemoryLimit(cfg.MaxMemory, log)

	var rec worker.Recorder
	if !strings.EqualFold(storeURL, "none") {
		store, err := stores().Open(ctx, storeURL)
		if err != nil {
			return fmt.Errorf("--store: %w", err)
		}
		defer store.Close()
		r := metrics.NewRecorder(store, metrics.RecorderOptions{}, log)
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := r.Close(cctx); err != nil {
				log.Error("flushing the metrics store", "err", err)
			}
			if st := r.Stats(); st.Dropped() > 0 {
				log.Warn("metrics records lost", "dropped", st.Dropped(), "written", st.Written)
			}
		}()
		rec = r
		log.Info("recording metrics", "store", storeURL)
	} else {
		log.Info("recording no metrics (--store none)")
	}
	srv, err := worker.New(cfg, rec, log)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln)
}

// wkWatchParent calls gone once the process's parent is no longer ppid
// (the parent exited and the process was re-parented), polling every
// interval until ctx is done.
func wkWatchParent(ctx context.Context, ppid int, interval time.Duration, gone func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != ppid {
				gone()
				return
			}
		}
	}
}

// wkDefaultID is HOSTNAME:PORT.
func wkDefaultID(addr net.Addr) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	port := ""
	if ta, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(ta.Port)
	}
	return host + ":" + port
}
