package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/probe"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// errDeadline is the cause of a request's context when its deadline passes.
var errDeadline = errors.New("request deadline exceeded")

// exchange is one compute request on its way through the load balancer.
type exchange struct {
	id       string // the load balancer's request id (metrics.NewID)
	clientID string // the client's valid X-Request-Id, if any: correlation only
	kind     workload.Kind
	features workload.Features
	multi    bool
	units    float64 // predicted work units
	weight   float64 // ray-tracer equivalents per unit of this workload
	source   string
	start    time.Time
	body     []byte
	held     *heldBody // body's pooled buffer, nil when it has none

	attempts int        // attempts that reached a worker, hedges included
	hedges   int        // hedges sent
	tries    []*Attempt // the attempts that reached a worker
	worker   string
	reason   string
	queued   time.Duration
	actual   int64         // the relayed attempt's work units
	cpu      time.Duration // and its CPU time
}

// serveWork handles POST /raytracer, /blurimage and /enhanceimage.
func (s *Server) serveWork(w http.ResponseWriter, r *http.Request, kind workload.Kind) {
	x := &exchange{kind: kind, start: s.now(), id: metrics.NewID()}
	if id := r.Header.Get(wire.HeaderRequestID); wire.ValidRequestID(id) {
		x.clientID = id
	}
	x.features.Kind = kind
	setRequestIDs(w.Header(), x)
	if !s.active.enter() {
		w.Header().Set("Retry-After", "1")
		s.answer(w, x, http.StatusServiceUnavailable, metrics.OutcomeRejected, ErrShuttingDown.Error()+": retry later")
		return
	}
	defer s.active.leave()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		s.answer(w, x, http.StatusMethodNotAllowed, metrics.OutcomeClientError,
			fmt.Sprintf("method %s is not allowed on %s: use POST", r.Method, kind.Path()))
		return
	}
	// Everything this request holds is on one hold of the budget, released
	// when it ends.
	hold := s.mem.Hold()
	defer hold.Release()
	defer func() { x.held.release() }()
	body, ok := s.readBody(w, r, x, hold)
	if !ok {
		return
	}
	x.body = body
	if _, err := url.ParseRequestURI(r.URL.RequestURI()); err != nil {
		s.answer(w, x, http.StatusBadRequest, metrics.OutcomeClientError, "malformed request URL: "+err.Error())
		return
	}
	// Only what routing needs is read (headers, never pixels), within a
	// reservation of what that may allocate. A refused request keeps, for
	// its record, the features read before the error, as a worker's record
	// of it would.
	dec, err := s.decodeHeader(w, r, x, kind, body, hold)
	if err != nil {
		return
	}
	x.multi = dec.Multi
	x.features = probe.Features(x.features, probe.Input{Scene: dec.Scene, Params: dec.Params}, probe.Options{})
	dec = nil // the parsed scene is not needed any more
	cost := s.est.Estimate(x.features)
	x.units, x.source = cost.Units, cost.Source
	x.weight = s.costs.Weight(kind)

	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	stop := context.AfterFunc(s.hardCtx, func() { cancel(ErrShuttingDown) })
	defer stop()
	ctx, cancelT := context.WithTimeoutCause(ctx, s.cfg.RequestTimeout, errDeadline)
	defer cancelT()
	s.forward(ctx, w, r, x)
}

// forward sends the request to a worker and relays the first answer: a
// worker that fails before it answers is retried elsewhere, and an attempt
// that outlives its deadline is hedged (attempts.go).
func (s *Server) forward(ctx context.Context, w http.ResponseWriter, r *http.Request, x *exchange) {
	s.hedging.request()
	rc := newRace(ctx, s, r, x)
	defer rc.close()
	rc.launch(firstAttempt, nil)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Stop()
		var expired <-chan time.Time
		next := rc.nextDeadline()
		if !next.IsZero() {
			timer.Reset(next.Sub(s.now()))
			expired = timer.C
		}
		select {
		case <-ctx.Done():
			rc.settle()
			s.contextEnded(ctx, w, x)
			return
		case <-expired:
			// The timer was set for next: that deadline passed, even on
			// a clock that reads a little behind the timer's.
			rc.checkDeadlines(latest(s.now(), next))
		case ev := <-rc.events:
			if ctx.Err() != nil {
				rc.late(ev)
				rc.settle()
				s.contextEnded(ctx, w, x)
				return
			}
			switch {
			case ev.kind == evStarted:
				rc.started(ev.a, ev.lease)
			case ev.kind == evStalled:
				rc.stalled(ev.a)
			case ev.lease == nil:
				if !rc.noWorker(ev) {
					rc.settle()
					s.acquireFailed(ctx, w, x, ev.err)
					return
				}
			case ev.f == nil:
				rc.won(ev.a, ev.lease)
				rc.settle()
				s.relay(ev.a.ctx, w, x, ev.lease, ev.resp, ev.head)
				return
			case !rc.failedAttempt(ev):
				rc.settle()
				s.giveUp(w, x, rc.lastStatus, rc.lastErr)
				return
			}
		}
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// giveUp answers a request every attempt of which failed.
func (s *Server) giveUp(w http.ResponseWriter, x *exchange, lastStatus int, lastErr string) {
	status := http.StatusBadGateway
	if lastStatus == http.StatusServiceUnavailable {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	}
	s.answer(w, x, status, metrics.OutcomeServerError,
		fmt.Sprintf("no worker could serve the request in %d attempts; last: %s", x.attempts, lastErr))
}

// failure is why one attempt did not produce a response to relay.
type failure struct {
	result result // for the pool: failed or busy
	reason string // retries metric label: connect, busy, bad_gateway, response
	status int    // the worker's status (502, 503), 0 when it gave none
	msg    string
}

// try sends the request to the leased worker and reads the head of its
// response (up to the response buffer, as far as the memory budget
// allows): either resp and head are ready to relay, or f says why the
// worker failed, with nothing sent to the client.
func (s *Server) try(ctx context.Context, r *http.Request, x *exchange, l *lease) (resp *http.Response, head responseHead, f *failure) {
	resp, err := s.send(ctx, r, x, l)
	if err != nil {
		return nil, head, &failure{resultFailed, "connect", 0, fmt.Sprintf("worker %s: %v", l.workerID, err)}
	}
	if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		f := &failure{resultBusy, "busy", resp.StatusCode, ""}
		if resp.StatusCode == http.StatusBadGateway {
			f.result, f.reason = resultFailed, "bad_gateway"
		}
		f.msg = fmt.Sprintf("worker %s: %s: %s", l.workerID, resp.Status, strings.TrimSpace(string(msg)))
		return nil, head, f
	}
	head, err = s.readAhead(resp.Body, resp.ContentLength, s.cfg.ResponseBuffer)
	if err != nil {
		// The worker died before its response was complete and nothing
		// has reached the client yet.
		resp.Body.Close()
		return nil, head, &failure{resultFailed, "response", 0, fmt.Sprintf("worker %s: response interrupted: %v", l.workerID, err)}
	}
	return resp, head, nil
}

// send forwards one attempt.
func (s *Server) send(ctx context.Context, r *http.Request, x *exchange, l *lease) (*http.Response, error) {
	out, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(l.addr, "/")+r.URL.RequestURI(), x.held.reader(x.body))
	if err != nil {
		return nil, err
	}
	out.GetBody = func() (io.ReadCloser, error) { return x.held.reader(x.body), nil }
	copyHeader(out.Header, r.Header)
	if x.clientID == "" {
		out.Header.Del(wire.HeaderRequestID)
	}
	out.Header.Set(wire.HeaderServerRequestID, x.id)
	out.Header.Set(wire.HeaderAttempt, strconv.Itoa(l.attempt))
	out.Header.Set(wire.HeaderPredictedUnits, strconv.FormatFloat(x.units, 'f', 0, 64))
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
			host = prior + ", " + host
		}
		out.Header.Set("X-Forwarded-For", host)
	}
	// Compute requests are idempotent: let the transport resend on a
	// keep-alive connection the worker closed (the header is not sent).
	out.Header["X-Idempotency-Key"] = nil
	out.ContentLength = int64(len(x.body))
	return s.transport.RoundTrip(out)
}

// relay sends the worker's response to the client — head, already read,
// then the rest streamed — and learns from it.
func (s *Server) relay(ctx context.Context, w http.ResponseWriter, x *exchange, l *lease, resp *http.Response, head responseHead) {
	defer resp.Body.Close()
	defer head.hold.Release()
	h := w.Header()
	copyHeader(h, resp.Header)
	setRequestIDs(h, x)
	if h.Get(wire.HeaderWorkerID) == "" {
		h.Set(wire.HeaderWorkerID, l.workerID)
	}
	w.WriteHeader(resp.StatusCode)
	_, copyErr := w.Write(head.b)
	if copyErr == nil {
		_, copyErr = io.Copy(w, resp.Body)
	}
	now := s.now()
	if copyErr != nil {
		// The response is already under way: the client sees the
		// connection drop, never a truncated body passed off as whole.
		res := resultFailed
		if ctx.Err() != nil {
			res = resultCancelled
		}
		s.pool.release(l, res)
		s.finish(x, resp.StatusCode, metrics.OutcomeCancelled, "response interrupted: "+copyErr.Error(), now)
		panic(http.ErrAbortHandler)
	}
	s.pool.release(l, resultOK)
	outcome := metrics.OutcomeOK
	switch {
	case resp.StatusCode >= 500:
		outcome = metrics.OutcomeServerError
	case resp.StatusCode >= 400:
		outcome = metrics.OutcomeClientError
	}
	if outcome == metrics.OutcomeOK {
		s.learn(x, l.workerID, resp.Header, now)
	}
	s.finish(x, resp.StatusCode, outcome, "", now)
}

// learn teaches the estimator and the worker's speed from the response
// headers.
func (s *Server) learn(x *exchange, workerID string, h http.Header, now time.Time) {
	units, err := strconv.ParseInt(h.Get(wire.HeaderWorkUnits), 10, 64)
	if err != nil || units < 0 {
		return
	}
	x.actual = units
	s.seen.add(x.id)
	s.est.Observe(now, x.features, float64(units))
	s.metrics.observeUnits(x.kind, x.units, units)
	if cpu := wire.ParseMs(h.Get(wire.HeaderCPUMs)); cpu > 0 {
		x.cpu = cpu
		s.costs.Observe(x.kind, units, cpu)
	}
	if s.speeds == nil {
		return
	}
	if wall := wire.ParseMs(h.Get(wire.HeaderWallMs)); wall > 0 && units > 0 {
		s.speeds.Observe(workerID, float64(units)*x.weight, wall)
	}
}

// backoff waits before retry number attempt; false if ctx ended first.
func (s *Server) backoff(ctx context.Context, attempt int) bool {
	d := s.cfg.RetryBackoff << (attempt - 1)
	if d > s.cfg.MaxRetryBackoff || d <= 0 {
		d = s.cfg.MaxRetryBackoff
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// acquireFailed answers a request no worker was found for.
func (s *Server) acquireFailed(ctx context.Context, w http.ResponseWriter, x *exchange, err error) {
	switch {
	case errors.Is(err, ErrQueueFull):
		w.Header().Set("Retry-After", "1")
		s.answer(w, x, http.StatusServiceUnavailable, metrics.OutcomeRejected,
			fmt.Sprintf("%v (%d waiting): retry later", err, s.cfg.QueueLen))
	case errors.Is(err, ErrQueueTimeout):
		w.Header().Set("Retry-After", "1")
		s.answer(w, x, http.StatusServiceUnavailable, metrics.OutcomeRejected,
			fmt.Sprintf("no worker became free within the queue timeout of %s: retry later", s.cfg.QueueTimeout))
	case errors.Is(err, ErrShuttingDown):
		w.Header().Set("Retry-After", "1")
		s.answer(w, x, http.StatusServiceUnavailable, metrics.OutcomeRejected, ErrShuttingDown.Error()+": retry later")
	case ctx.Err() != nil:
		s.contextEnded(ctx, w, x)
	default:
		s.answer(w, x, http.StatusBadGateway, metrics.OutcomeServerError, "no worker: "+err.Error())
	}
}

// contextEnded answers a request whose context ended: its deadline passed
// (504), the load balancer is shutting down (503) or the client went away
// (nothing to answer).
func (s *Server) contextEnded(ctx context.Context, w http.ResponseWriter, x *exchange) {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errDeadline):
		s.answer(w, x, http.StatusGatewayTimeout, metrics.OutcomeCancelled,
			fmt.Sprintf("the request did not finish within its deadline of %s", s.cfg.RequestTimeout))
	case errors.Is(cause, ErrShuttingDown):
		w.Header().Set("Retry-After", "1")
		s.answer(w, x, http.StatusServiceUnavailable, metrics.OutcomeRejected, ErrShuttingDown.Error()+": retry later")
	default:
		s.finish(x, 0, metrics.OutcomeCancelled, "client went away", s.now())
	}
}

// answer sends the load balancer's own reply and books it.
func (s *Server) answer(w http.ResponseWriter, x *exchange, status int, outcome metrics.Outcome, msg string) {
	httpError(w, status, msg)
	s.finish(x, status, outcome, msg, s.now())
}

// finish books a finished request in the metrics and the decision log, and
// records its final outcome: what the client got.
func (s *Server) finish(x *exchange, status int, outcome metrics.Outcome, errMsg string, now time.Time) {
	s.drain.ended(x.start, status, outcome, errMsg)
	lat := now.Sub(x.start)
	s.metrics.requests.WithLabelValues(string(x.kind), string(outcome)).Inc()
	s.metrics.duration.WithLabelValues(string(x.kind)).Observe(lat.Seconds())
	s.decisions.add(Decision{
		Time: x.start, RequestID: x.id, ClientRequestID: x.clientID, Workload: x.kind, PredictedUnits: x.units,
		Source: x.source, ActualUnits: x.actual, Worker: x.worker, Reason: x.reason,
		Attempts: x.attempts, Hedged: x.hedges > 0, Hedges: x.hedges, Tries: tries(x.tries),
		Outcome: string(outcome), Status: status,
		QueuedMs: ms(x.queued), LatencyMs: ms(lat), Error: errMsg,
	})
	if s.recorder != nil {
		s.recorder.Request(metrics.RequestRecord{
			Key: metrics.NewID(), Role: metrics.RoleFinal, RequestID: x.id, ClientRequestID: x.clientID, Attempts: x.attempts,
			Time: x.start, Features: x.features, Multi: x.multi,
			Units: x.actual, CPU: x.cpu, Wall: lat, WorkerID: x.worker, Outcome: outcome,
			Status: status, Error: errMsg, PredictedUnits: x.units,
		})
	}
	if (status != 0 || outcome != metrics.OutcomeCancelled) && s.debugging() {
		s.log.Debug("request done", "request_id", x.id, "client_request_id", x.clientID, "workload", x.kind, "status", status,
			"outcome", outcome, "worker", x.worker, "attempts", x.attempts, "hedged", x.hedges > 0, "latency", lat)
	}
}

// debugging reports whether debug records are logged: the per-request
// ones are built only then (their attributes would otherwise be
// allocated for nothing on every request).
func (s *Server) debugging() bool { return s.log.Enabled(s.hardCtx, slog.LevelDebug) }

// tries copies a request's attempts for its decision.
func tries(ts []*Attempt) []Attempt {
	if len(ts) == 0 {
		return nil
	}
	out := make([]Attempt, len(ts))
	for i, t := range ts {
		out[i] = *t
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// hopHeaders are not forwarded (RFC 9110 section 7.6.1).
var hopHeaders = map[string]bool{
	"Connection": true, "Proxy-Connection": true, "Keep-Alive": true,
	"Proxy-Authenticate": true, "Proxy-Authorization": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if hopHeaders[k] {
			continue
		}
		dst[k] = append(dst[k][:0:0], vs...)
	}
}

// setRequestIDs sets the ids an answer carries: the client's X-Request-Id
// (or the request id if it sent none) and the request id.
func setRequestIDs(h http.Header, x *exchange) {
	h.Set(wire.HeaderRequestID, wire.EchoRequestID(x.clientID, x.id))
	h.Set(wire.HeaderServerRequestID, x.id)
}
