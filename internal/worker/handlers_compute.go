package worker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/instrument"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// statusClientClosed is recorded (never sent) when the client went away
// before the response, as nginx logs it.
const statusClientClosed = 499

// serveCompute serves one compute request and records it. The request
// takes an in-flight slot only once its body has arrived and its header is
// decoded, and every byte it holds is reserved on the worker's memory
// budget first, released when its response is sent.
func (s *Server) serveCompute(w http.ResponseWriter, r *http.Request, kind workload.Kind) {
	start := time.Now()
	rec := metrics.RequestRecord{
		Key:            metrics.NewID(),
		Time:           start.UTC(),
		Features:       workload.Features{Kind: kind},
		WorkerID:       s.cfg.ID,
		PredictedUnits: parsePredicted(r.Header.Get(HeaderPredictedUnits)),
	}
	identify(&rec, r.Header)
	w.Header().Set(HeaderRequestID, wire.EchoRequestID(rec.ClientRequestID, rec.RequestID))
	w.Header().Set(HeaderServerRequestID, rec.RequestID)

	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		err := wire.NewError(http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s: want POST", wire.Truncate(r.Method, 20), r.URL.Path), nil)
		s.answerError(w, &rec, start, err)
		return
	}
	if s.flight.isDraining() {
		s.refuse(w, &rec, start, errDraining)
		return
	}
	hold := s.mem.Hold()
	defer hold.Release()
	req, err := s.receive(w, r, &rec, hold)
	if err != nil {
		s.fail(r.Context(), w, r, &rec, start, err)
		return
	}
	a := &active{id: rec.RequestID, kind: kind, predicted: rec.PredictedUnits, start: start}
	if err := s.flight.admit(a); err != nil {
		s.refuse(w, &rec, start, err)
		return
	}
	defer s.flight.release(a)

	ctx := r.Context()
	var cancel context.CancelFunc = func() {}
	if s.cfg.WriteTimeout > 0 {
		// Leave a tenth of the write timeout to send the 503.
		ctx, cancel = context.WithTimeoutCause(ctx, s.cfg.WriteTimeout*9/10, errWriteTimeout)
	}
	defer cancel()

	body, ctype, err := s.compute(ctx, r, &rec, req)
	if err != nil {
		s.fail(ctx, w, r, &rec, start, err)
		return
	}
	rec.Status, rec.Outcome = http.StatusOK, metrics.OutcomeOK
	rec.Wall = time.Since(start)
	h := w.Header()
	setCostHeaders(h, &rec)
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if _, werr := w.Write(body); werr != nil && r.Context().Err() != nil {
		rec.Outcome, rec.Status, rec.Error = metrics.OutcomeCancelled, statusClientClosed, "client closed the connection while the response was sent"
	}
	s.record(&rec)
}

// refuse answers 503 with Retry-After to a request the worker has no slot
// for (errFull) or takes no more requests (errDraining), and records it.
func (s *Server) refuse(w http.ResponseWriter, rec *metrics.RequestRecord, start time.Time, err error) {
	w.Header().Set("Retry-After", "1")
	msg := fmt.Sprintf("worker busy: %d requests in flight, the limit (--max-inflight): retry later or on another worker", s.cfg.MaxInflight)
	if errors.Is(err, errDraining) {
		w.Header().Set("Connection", "close")
		msg = "worker is draining (shutting down): retry on another worker"
	}
	rec.Outcome = metrics.OutcomeRejected
	s.answerError(w, rec, start, wire.NewError(http.StatusServiceUnavailable, msg, err))
}

// fail answers a request that failed with err and records it; ctx is the
// context it ran under.
func (s *Server) fail(ctx context.Context, w http.ResponseWriter, r *http.Request, rec *metrics.RequestRecord, start time.Time, err error) {
	var re *wire.RequestError
	timedOut := errors.As(err, &re) && re.Status == http.StatusRequestTimeout
	switch {
	case errors.Is(context.Cause(r.Context()), errShutdown):
		rec.Outcome = metrics.OutcomeCancelled
		err = wire.NewError(http.StatusServiceUnavailable, fmt.Sprintf("worker shut down before the request finished (--drain-timeout %s): retry on another worker", s.cfg.DrainTimeout), err)
	case r.Context().Err() != nil && !timedOut:
		// The client went away: there is nobody to answer. Recorded as
		// 499 (client closed request); the 503 only keeps the server
		// from sending an empty 200 on a connection that is gone.
		rec.Outcome, rec.Status, rec.Error = metrics.OutcomeCancelled, statusClientClosed, wire.OneLine("client closed the connection: "+err.Error())
		s.finish(rec, start)
		writeText(w, http.StatusServiceUnavailable, "request cancelled: the client closed the connection")
		return
	case errors.Is(context.Cause(ctx), errWriteTimeout):
		rec.Outcome = metrics.OutcomeCancelled
		err = wire.NewError(http.StatusServiceUnavailable, fmt.Sprintf("request took longer than this worker allows (--write-timeout %s): try a smaller request", s.cfg.WriteTimeout), err)
	case errors.Is(err, budget.ErrExhausted):
		w.Header().Set("Retry-After", "1")
		rec.Outcome = metrics.OutcomeRejected
	}
	s.answerError(w, rec, start, err)
}

// errWriteTimeout is the cause of a request context cancelled by the write
// timeout, errShutdown of one cancelled because the drain timeout passed.
var (
	errWriteTimeout = errors.New("write timeout")
	errShutdown     = errors.New("worker shut down")
)

// receive reads the request's body and decodes its header, reserving on
// hold the body as it is read, what decoding the header may allocate, and
// what running the request needs; it fills in rec's features. It turns a
// panic into an error.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, rec *metrics.RequestRecord, hold *budget.Hold) (req *wire.Request, err error) {
	defer s.recoverAs(rec, &err)
	in, err := s.readBody(w, r, hold)
	if err != nil {
		return nil, err
	}
	rec.CPU += instrument.Measure(func() {
		var p *wire.Prepared
		if p, rec.Features, err = wire.Prepare(rec.Features.Kind, r.URL.RawQuery, in, s.cfg.Limits); err != nil {
			return
		}
		if err = s.reserve(hold, p.Memory(), "decoding it"); err != nil {
			return
		}
		req, rec.Features, err = p.DecodeHeader()
	})
	if err != nil {
		return nil, err
	}
	rec.Multi = req.Multi
	if err := s.reserve(hold, runMemory(req, s.cfg.Threads), "its pixels"); err != nil {
		return nil, err
	}
	return req, nil
}

// compute decodes the request's pixels, runs it and encodes its response,
// filling in rec's cost as it becomes known. It turns a panic into an
// error.
func (s *Server) compute(ctx context.Context, r *http.Request, rec *metrics.RequestRecord, req *wire.Request) (body []byte, ctype string, err error) {
	defer s.recoverAs(rec, &err)
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	rec.CPU += instrument.Measure(func() { err = req.DecodePixels() })
	if err != nil {
		return nil, "", err
	}
	img, cost, err := s.run(ctx, req, s.cfg.Threads, s.cfg.Limits)
	rec.CPU += cost.CPU
	rec.Units = cost.Units
	if err != nil {
		return nil, "", err
	}
	native := req.Format
	if req.Kind == workload.Raytracer {
		native = "bmp"
	}
	raw := wire.Negotiate(r.URL.RawQuery, r.Header.Get("Accept"), native)
	rec.CPU += instrument.Measure(func() { body, ctype, err = wire.EncodeResponse(img, native, raw) })
	return body, ctype, err
}

// recoverAs turns a panic of the request's handling into *err.
func (s *Server) recoverAs(rec *metrics.RequestRecord, err *error) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.log.Error("request panicked", "request_id", rec.RequestID, "attempt", rec.Attempt, "workload", rec.Features.Kind, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		*err = fmt.Errorf("internal error: %v", v)
	}
}

// readBody reads the whole body within BodyTimeout, bounded by
// MaxBodyBytes, reserving it on hold as it is read: 413 beyond the limit
// (at once when the Content-Length says so), 503 when the memory budget has
// no room for its next chunk, 408 when it does not arrive in time.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, hold *budget.Hold) ([]byte, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
	body, err := budget.ReadBody(r.Body, r.ContentLength, s.cfg.MaxBodyBytes, hold)
	if err == nil {
		// Nothing more is read from the connection until the response
		// is sent: no deadline while the request runs, however long. (A
		// body left unread keeps it: the server reads what is left of it
		// before it answers, within the deadline.)
		_ = rc.SetReadDeadline(time.Time{})
		return body, nil
	}
	var ne net.Error
	switch {
	case errors.Is(err, budget.ErrTooLarge):
		return nil, wire.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than this worker's limit of %d bytes (--max-body)", s.cfg.MaxBodyBytes), err)
	case errors.Is(err, budget.ErrExhausted):
		return nil, s.memoryFull("its body", err)
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return nil, wire.NewError(http.StatusRequestTimeout, fmt.Sprintf("request body not received within %s (--body-timeout)", s.cfg.BodyTimeout), err)
	}
	return nil, wire.NewError(http.StatusBadRequest, "reading the request body: "+err.Error(), err)
}

// answerError sends err's status and message and records the request.
func (s *Server) answerError(w http.ResponseWriter, rec *metrics.RequestRecord, start time.Time, err error) {
	status := wire.StatusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		var re *wire.RequestError
		if !errors.As(err, &re) {
			s.log.Error("request failed", "request_id", rec.RequestID, "attempt", rec.Attempt, "workload", rec.Features.Kind, "err", err)
			msg = "internal error: " + err.Error()
		}
	}
	rec.Status, rec.Error = status, wire.OneLine(msg)
	if rec.Outcome == "" {
		rec.Outcome = metrics.OutcomeClientError
		if status >= 500 {
			rec.Outcome = metrics.OutcomeServerError
		}
	}
	rec.Wall = time.Since(start)
	setCostHeaders(w.Header(), rec)
	writeText(w, status, msg)
	s.record(rec)
}

// finish records a request that got no response.
func (s *Server) finish(rec *metrics.RequestRecord, start time.Time) {
	rec.Wall = time.Since(start)
	s.record(rec)
}

// record hands rec to the recorder and counts it.
func (s *Server) record(rec *metrics.RequestRecord) {
	s.rec.Request(*rec)
	s.tel.observe(rec)
	lvl := s.log.Debug
	switch rec.Outcome {
	case metrics.OutcomeServerError:
		lvl = s.log.Error
	case metrics.OutcomeClientError, metrics.OutcomeRejected, metrics.OutcomeCancelled:
		lvl = s.log.Info
	}
	lvl("request", "request_id", rec.RequestID, "attempt", rec.Attempt, "role", rec.Role, "workload", rec.Features.Kind, "status", rec.Status, "outcome", rec.Outcome,
		"units", rec.Units, "cpu_ms", wire.FormatMs(rec.CPU), "wall_ms", wire.FormatMs(rec.Wall), "error", rec.Error)
}

func setCostHeaders(h http.Header, rec *metrics.RequestRecord) {
	h.Set(HeaderWorkUnits, strconv.FormatInt(rec.Units, 10))
	h.Set(HeaderCPUMs, wire.FormatMs(rec.CPU))
	h.Set(HeaderWallMs, wire.FormatMs(rec.Wall))
}

// identify fills in whose request rec is. An attempt the load balancer
// sent carries the load balancer's request id and the attempt's number: it
// is recorded as that attempt. A request sent to this worker directly gets
// a request id of its own and is recorded as direct. The client's valid
// X-Request-Id is kept for correlation only.
func identify(rec *metrics.RequestRecord, h http.Header) {
	rec.Role, rec.RequestID, rec.Attempt, rec.Attempts = metrics.RoleDirect, "", 1, 1
	if id := h.Get(HeaderServerRequestID); wire.ValidRequestID(id) {
		if n, ok := wire.ParseAttempt(h.Get(HeaderAttempt)); ok {
			rec.Role, rec.RequestID, rec.Attempt, rec.Attempts = metrics.RoleAttempt, id, n, 0
		}
	}
	if rec.RequestID == "" {
		rec.RequestID = metrics.NewID()
	}
	if c := h.Get(HeaderRequestID); wire.ValidRequestID(c) {
		rec.ClientRequestID = c
	}
}

// parsePredicted reads X-Predicted-Units; anything but a finite
// non-negative number is 0 (unknown).
func parsePredicted(h string) float64 {
	if h == "" {
		return 0
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(h), 64)
	if err != nil || v < 0 || v != v || v > 1e300 {
		return 0
	}
	return v
}
