package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/lease"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/dropmetrics"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// The headers of the worker's HTTP API, as package wire defines them.
const (
	// HeaderRequestID is the client's id of a request: the worker records
	// a valid one (wire.ValidRequestID) as the client request id, for
	// correlation, and sends it back; an answer to a request without one
	// carries the request id instead.
	HeaderRequestID = wire.HeaderRequestID
	// HeaderServerRequestID and HeaderAttempt are the load balancer's id of
	// the request and the number of the attempt it sends: the worker
	// records the attempt under them. A request without them is one sent
	// to the worker directly: it gets a request id of its own. Every
	// answer to a compute request carries the request id.
	HeaderServerRequestID = wire.HeaderServerRequestID
	HeaderAttempt         = wire.HeaderAttempt
	// HeaderPredictedUnits is the load balancer's prediction of the
	// request's work units; the worker shows it in /status and records it.
	HeaderPredictedUnits = wire.HeaderPredictedUnits
	// HeaderWorkerID names the worker that answered (every response).
	HeaderWorkerID = wire.HeaderWorkerID
	// HeaderWorkUnits, HeaderCPUMs and HeaderWallMs are the request's
	// deterministic work units, thread CPU time and wall time in
	// milliseconds (decimal, three fraction digits).
	HeaderWorkUnits = wire.HeaderWorkUnits
	HeaderCPUMs     = wire.HeaderCPUMs
	HeaderWallMs    = wire.HeaderWallMs
)

// Server is a worker: an http.Handler serving the API, and Serve to run it
// with graceful shutdown.
type Server struct {
	cfg     Config
	rec     Recorder
	log     *slog.Logger
	run     runFunc
	flight  *inflight
	mem     *budget.Budget // bodies, decoding and pixels held (MaxMemory)
	tel     *telemetry
	started time.Time
	cores   float64      // CPU capacity in cores (cgroup quota aware)
	lease   *lease.Lease // nil without Config.LeaseTimeout

	mu      sync.Mutex
	address string
	last    lastSample
}

// minSampleGap is the shortest time over which a sample measures the CPU
// share.
const minSampleGap = 50 * time.Millisecond

// lastSample is the most recent process sample, for /status.
type lastSample struct {
	at    time.Time
	usage procUsage
	cpu   float64
}

// New returns a worker with the given configuration. rec receives the
// records (nil: none are kept); log receives the worker's log lines.
func New(cfg Config, rec Recorder, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("worker config: %w", err)
	}
	if rec == nil {
		rec = nopRecorder{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("worker", cfg.ID)
	s := &Server{
		cfg: cfg, rec: rec, log: log, run: runWorkload,
		tel:     newTelemetry(cfg.ID, cfg.MaxInflight),
		mem:     budget.New(cfg.MaxMemory),
		started: time.Now(),
		cores:   cpuCapacity(),
		address: cfg.Address,
	}
	if cfg.LeaseTimeout > 0 {
		s.lease = lease.New(cfg.LeaseTimeout, s.started)
	}
	if src, ok := rec.(dropmetrics.Source); ok {
		s.tel.countDrops(src, cfg.ID)
	}
	s.flight = newInflight(cfg.MaxInflight, func(n int) { s.tel.inFlight.Set(float64(n)) })
	s.tel.registerMemory(cfg.ID, cfg.MaxMemory, s.mem.Used)
	if u, err := readProcUsage(); err == nil {
		s.last = lastSample{at: s.started, usage: u}
	}
	return s, nil
}

// Health is ready until shutdown starts, then draining.
func (s *Server) Health() lifecycle.State {
	if s.flight.isDraining() {
		return lifecycle.Draining
	}
	return lifecycle.Ready
}

// Drain makes the worker refuse new compute requests (503) and report
// "draining" on /health. Serve calls it when its context is done.
func (s *Server) Drain() { s.flight.drain() }

// InFlight is the number of compute requests being served.
func (s *Server) InFlight() int { return s.flight.count() }

// ServeHTTP routes a request: the compute paths, /health, /status,
// /metrics and "/". The compute paths carry the original system's CORS
// headers and answer its OPTIONS preflight; with Config.Token set, they,
// /status and /metrics answer 401 to a request without that bearer token,
// while /health and "/" stay open for probes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !tw.wrote {
				writeText(tw, http.StatusInternalServerError, "internal error: the worker failed while serving this request")
			}
		}
	}()
	h := tw.Header()
	h.Set(HeaderWorkerID, s.cfg.ID)
	switch r.URL.Path {
	case "/raytracer", "/blurimage", "/enhanceimage":
		if access.Preflight(tw, r) || !s.authorized(tw, r) {
			return
		}
		kind, _ := workload.ParseKind(r.URL.Path)
		s.serveCompute(tw, r, kind)
	case "/health":
		if allowGet(tw, r) && s.renewLease(tw, r) {
			s.serveHealth(tw, r)
		}
	case "/status":
		if s.authorized(tw, r) && allowGet(tw, r) {
			s.serveStatus(tw, r)
		}
	case "/metrics":
		if s.authorized(tw, r) && allowGet(tw, r) {
			s.tel.handler().ServeHTTP(tw, r)
		}
	case "/":
		// The original's catch-all context answered 200 to anything; load
		// balancers' health checks rely on it.
		h.Set("Content-Length", "0")
		tw.WriteHeader(http.StatusOK)
	default:
		writeText(tw, http.StatusNotFound, fmt.Sprintf("no such path %q: want POST /raytracer, /blurimage or /enhanceimage, or GET /health, /status or /metrics", wire.Truncate(r.URL.Path, 100)))
	}
}

// authorized answers 401 and returns false unless the request carries the
// worker token (always true without one). A refused request is not
// recorded: it asked for nothing the worker serves.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if access.Authorized(s.cfg.Token, r) {
		return true
	}
	access.Deny(w, "the worker token the load balancer shares with its workers (--worker-token)")
	return false
}

// allowGet answers 405 unless r is a GET or HEAD.
func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeText(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s: want GET", wire.Truncate(r.Method, 20), r.URL.Path))
	return false
}

// writeText answers a one-line text/plain message.
func writeText(w http.ResponseWriter, status int, msg string) {
	body := wire.ErrorBody(msg)
	h := w.Header()
	h.Set("Content-Type", wire.ErrorType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// trackingWriter remembers whether the response was started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	if code >= 200 {
		t.wrote = true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// Serve serves on ln until ctx is done (or, with Config.LeaseTimeout,
// the lease expires), then shuts down gracefully: it
// reports "draining" on /health and refuses new compute requests with 503,
// waits up to Config.DrainTimeout for the requests in flight (then cancels
// them), closes the connections and returns nil. It records worker
// samples in time order: the first before it accepts any connection, then
// one every Config.SampleInterval, one when draining starts and one when it
// ends. An error means the server could not serve.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.address == "" {
		s.address = ln.Addr().String()
	}
	s.mu.Unlock()
	// Requests outlive ctx (in-flight requests finish while draining);
	// hardStop cancels them when the drain timeout passes.
	reqCtx, cancelReqs := context.WithCancelCause(context.WithoutCancel(ctx))
	hardStop := func() { cancelReqs(errShutdown) }
	defer hardStop()
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	// The first sample is recorded before the server accepts anything, and
	// every later one by the sampling goroutine until it stops: the
	// worker's samples are in time order, the first one before any request.
	sampler := s.startSampling()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.log.Info("worker listening", "addr", ln.Addr().String(), "max_inflight", s.cfg.MaxInflight, "lease_timeout", s.cfg.LeaseTimeout)
	leased, stopLease := s.watchLease(ctx)
	defer stopLease()

	select {
	case err := <-served:
		sampler.stop()
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-leased.Done():
	}

	s.Drain()
	s.log.Info("draining", "in_flight", s.InFlight(), "drain_timeout", s.cfg.DrainTimeout)
	sampler.sampleNow()
	if err := s.waitDrained(reqCtx); err != nil {
		s.log.Warn("drain timeout passed: cancelling requests in flight", "in_flight", s.InFlight(), "drain_timeout", s.cfg.DrainTimeout)
		hardStop()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		_ = s.flight.waitIdle(cctx)
		cancel()
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("closing connections", "err", err)
		_ = srv.Close()
	}
	<-served
	sampler.stop()
	s.Sample(time.Now())
	s.log.Info("worker stopped")
	return nil
}

// waitDrained waits for the requests in flight, at most DrainTimeout.
func (s *Server) waitDrained(ctx context.Context) error {
	if s.cfg.DrainTimeout <= 0 {
		if s.InFlight() > 0 {
			return errors.New("drain timeout is 0")
		}
		return nil
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.DrainTimeout)
	defer cancel()
	return s.flight.waitIdle(dctx)
}

// Sample measures the process now (CPU % since the previous sample, RSS),
// records a worker sample and returns it.
func (s *Server) Sample(now time.Time) metrics.WorkerSample {
	u, err := readProcUsage()
	s.mu.Lock()
	if err != nil {
		s.log.Warn("reading process usage", "err", err)
		u = s.last.usage
	}
	// Over a gap shorter than minSampleGap the CPU share is noise: the
	// sample repeats the last one.
	pct := s.last.cpu
	if gap := now.Sub(s.last.at); gap >= minSampleGap {
		pct = cpuPercent(s.last.usage, u, gap, s.cores)
		s.last = lastSample{at: now, usage: u, cpu: pct}
	} else {
		s.last.usage.RSS = u.RSS
	}
	addr := s.address
	s.mu.Unlock()
	s.tel.cpuPct.Set(pct)
	s.tel.memory.Set(float64(u.RSS))
	ws := metrics.WorkerSample{
		Time: now.UTC(), WorkerID: s.cfg.ID, Address: addr,
		CPUPercent: pct, MemoryBytes: u.RSS, InFlight: s.InFlight(), Health: s.Health(),
	}
	s.rec.WorkerSample(ws)
	return ws
}
