package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/estimator"

	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/dropmetrics"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// Recorder keeps the final record of every request: what the client got
// (status, outcome, attempts, the worker whose answer was relayed,
// latency, prediction), whether a worker served it or the load balancer
// answered it itself (bad request, queue full or timed out, no worker
// could serve): metrics.Recorder. Each attempt's own record is the
// worker's. A Recorder that reports the records it dropped
// (dropmetrics.Source, as metrics.Recorder does) has them counted on
// /metrics as vfx_records_dropped_total.
type Recorder interface {
	Request(rec metrics.RequestRecord)
}

// Options are what a Server is built from. Pool and Estimator are
// required.
type Options struct {
	Config    Config
	Pool      *Pool
	Estimator Estimator
	Speeds    Speeds   // nil: speeds are not learnt
	History   History  // nil: no training from the store
	Recorder  Recorder // nil: the load balancer's own answers leave no record
	// Limits bound what a request may ask for, as on the workers
	// (wire.DefaultLimits).
	Limits wire.Limits
	// Transport forwards requests to workers (nil: NewTransport()).
	Transport http.RoundTripper
	// Provider names the worker provider, for the state API.
	Provider string
	Now      func() time.Time
	Log      *slog.Logger

	// AdminToken, when set, is required as a bearer token by the admin
	// and state endpoints (/api/v1/*) and /metrics (401 otherwise).
	AdminToken access.Secret
	// WorkerToken, when set, is sent as a bearer token with every request
	// to a worker (forwarded requests and the reads of its /status).
	WorkerToken access.Secret
}

// Server is the load balancer's HTTP front. Build it with New, start its
// background loops with Start, serve Handler, and stop with Shutdown.
type Server struct {
	cfg       Config
	pool      *Pool
	est       Estimator
	speeds    Speeds
	recorder  Recorder
	limits    wire.Limits
	transport http.RoundTripper
	provider  string
	now       func() time.Time
	log       *slog.Logger
	started   time.Time

	metrics   *promMetrics
	decisions *decisionLog
	costs     *estimator.UnitCosts
	seen      *idSet
	attempts  attemptPolicy
	hedging   *hedging
	trainer   *trainer
	mux       *http.ServeMux

	active      tracker        // compute requests being handled
	mem         *budget.Budget // bodies, decoding and responses held (MaxBuffered)
	drain       drainCount     // how those of a shutdown ended
	autoscaler  atomic.Pointer[func() any]
	bounds      atomic.Pointer[func(min, max int) error]
	workerToken access.Secret
	shutting    atomic.Bool
	hardCtx     context.Context // cancelled when shutdown stops waiting
	hardCancel  context.CancelCauseFunc
	loopsCancel context.CancelFunc
	loops       sync.WaitGroup
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Pool == nil || o.Estimator == nil {
		return nil, errors.New("proxy: a pool and an estimator are required")
	}
	if err := o.Config.Validate(); err != nil {
		return nil, fmt.Errorf("load balancer config: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Transport == nil {
		o.Transport = NewTransport()
	}
	o.Transport = access.Transport(o.Transport, o.WorkerToken)
	if o.Limits == (wire.Limits{}) {
		o.Limits = wire.DefaultLimits()
	}
	s := &Server{
		cfg: o.Config, pool: o.Pool, est: o.Estimator, speeds: o.Speeds,
		recorder: o.Recorder, limits: o.Limits, transport: o.Transport,
		provider: o.Provider, now: o.Now, log: o.Log, started: o.Now(),
		decisions: newDecisionLog(o.Config.DecisionLog),
		costs:     unitCostsOf(o.Estimator),
		seen:      newIDSet(20000),
		attempts:  attemptPolicy{min: o.Config.AttemptTimeoutMin, factor: o.Config.AttemptTimeoutFactor},
		hedging:   &hedging{budget: newHedgeBudget(o.Config.HedgeBudget, o.Config.HedgeBurst, hedgeRefusalLogInterval)},
		mem:       budget.New(o.Config.MaxBuffered),
	}
	s.workerToken = o.WorkerToken
	s.hardCtx, s.hardCancel = context.WithCancelCause(context.Background())
	s.metrics = newPromMetrics(o.Pool, o.Estimator)
	if src, ok := o.Recorder.(dropmetrics.Source); ok {
		s.metrics.reg.MustRegister(dropmetrics.NewCollector(src, nil))
	}
	s.registerMemory()
	if o.History != nil {
		s.trainer = newTrainer(o.History, o.Estimator, o.Config.TrainLimit, s.seen, o.Log)
		s.trainer.costs = s.costs
	}
	s.mux = http.NewServeMux()
	for _, k := range workload.Kinds {
		s.mux.Handle(k.Path(), access.CORS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveWork(w, r, k) })))
	}
	s.mux.HandleFunc("/health", s.serveHealth)
	s.handleAdmin(o.AdminToken)
	s.mux.HandleFunc("/", s.serveIndex)
	return s, nil
}

// NewTransport returns the transport the load balancer forwards with: keep
// -alive connections pooled per worker (up to 128 idle ones, enough for a
// worker's concurrency; Go's default of 2 makes connections churn under
// load), no compression, no HTTP/2; request bodies written whole from the
// load balancer's buffer (bodyConn).
func NewTransport() *http.Transport {
	return &http.Transport{
		DialContext:         bodyDialer((&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext),
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     64 << 10,
		ReadBufferSize:      64 << 10,
	}
}

// Handler serves the load balancer's endpoints: the compute paths (with
// the original system's CORS headers), /health, the index at /, and the
// admin and state endpoints and /metrics (behind Options.AdminToken).
func (s *Server) Handler() http.Handler { return s.mux }

// Start runs the background loops until ctx ends or Shutdown: health
// checks, following the provider's list (when l is not nil) and training
// from the store.
func (s *Server) Start(ctx context.Context, l Lister) {
	ctx, s.loopsCancel = context.WithCancel(ctx)
	if l != nil {
		if err := s.pool.Sync(ctx, l); err != nil {
			s.log.Warn("worker sync failed", "err", err)
		}
		s.loops.Go(func() { s.pool.RunSync(ctx, l) })
	}
	hc := NewHealthChecker(s.pool, s.healthClient())
	s.loops.Go(func() { hc.Run(ctx) })
	if s.trainer != nil {
		s.loops.Go(func() { s.trainer.run(ctx, s.cfg.TrainInterval) })
	}
}

// Train reads the store's recent records into the estimator once, now. It
// returns how many samples were learnt.
func (s *Server) Train(ctx context.Context) (int, error) {
	if s.trainer == nil {
		return 0, nil
	}
	return s.trainer.once(ctx)
}

// Shutdown stops taking requests (new ones get 503), waits for the queued
// and in-flight ones to finish until ctx ends, then answers those left with
// 503 (the client may retry), stops the background loops and closes the
// idle connections to workers. Call it after the HTTP server stopped
// accepting (http.Server.Shutdown). Drained then says what became of the
// requests it waited for; the error counts those handed back.
func (s *Server) Shutdown(ctx context.Context) error {
	s.drain.begin(s.now())
	s.shutting.Store(true)
	done := s.active.close()
	var cut error // why the shutdown stopped waiting, if it did
	select {
	case <-done:
	case <-ctx.Done():
		cut = ctx.Err()
		s.pool.Close()
		s.hardCancel(ErrShuttingDown)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	s.pool.Close()
	if s.loopsCancel != nil {
		s.loopsCancel()
	}
	s.loops.Wait()
	if t, ok := s.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	if n := s.Drained().HandedBack; cut != nil && n > 0 {
		return fmt.Errorf("%d requests still running at shutdown were handed back with 503: %w", n, cut)
	}
	return nil
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	counts := s.pool.Snapshot().CountByState()
	body := map[string]any{"status": "ready", "workers": counts}
	status := http.StatusOK
	if s.shutting.Load() {
		body["status"], status = "shutting down", http.StatusServiceUnavailable
	}
	writeJSON(w, status, body)
}

var indexTmpl = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>SpecialVFX@Cloud load balancer</title></head>
<body><h1>SpecialVFX@Cloud load balancer</h1>
<p>Policy <b>{{.Policy}}</b>, provider <b>{{.Provider}}</b>, {{.Ready}} of {{.Total}} workers ready.</p>
<ul>
<li><code>POST /raytracer?scols=&amp;srows=&amp;wcols=&amp;wrows=&amp;coff=&amp;roff=&amp;aa=</code> with <code>{"scene": "...", "texmap": [...]}</code></li>
<li><code>POST /blurimage</code>, <code>POST /enhanceimage</code> with <code>data:image/&lt;fmt&gt;;base64,...</code></li>
<li><a href="/api/v1/state">/api/v1/state</a>: workers, queue, cost model, recent routing decisions (JSON)</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="/health">/health</a>: the load balancer's health</li>
</ul></body></html>
`))

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		httpError(w, http.StatusNotFound, fmt.Sprintf("unknown path %q: the load balancer serves /raytracer, /blurimage, /enhanceimage, /api/v1/state, /metrics and /health", r.URL.Path))
		return
	}
	counts := s.pool.Snapshot().CountByState()
	total := 0
	for _, n := range counts {
		total += n
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = indexTmpl.Execute(w, map[string]any{
		"Policy": s.cfg.Policy, "Provider": s.provider, "Ready": counts[lifecycle.Ready], "Total": total,
	})
}

// httpError answers with a one-line text/plain message.
func httpError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", wire.ErrorType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(wire.ErrorBody(msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// tracker counts the compute requests being handled and refuses new ones
// once closed.
type tracker struct {
	mu      sync.Mutex
	n       int
	closing bool
	idle    chan struct{}
}

// enter counts a request in; false once the tracker is closed.
func (t *tracker) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing {
		return false
	}
	t.n++
	return true
}

func (t *tracker) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.idle != nil {
		close(t.idle)
		t.idle = nil
	}
}

// close refuses new requests and returns a channel closed once none is
// left.
func (t *tracker) close() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closing = true
	ch := make(chan struct{})
	if t.n == 0 {
		close(ch)
		return ch
	}
	if t.idle == nil {
		t.idle = make(chan struct{})
	}
	return t.idle
}
