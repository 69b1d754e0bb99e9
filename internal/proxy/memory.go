package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// The load balancer's memory is one budget (Config.MaxBuffered): request
// bodies reserve it as they are read, their header decoding reserves what
// it may allocate (wire.Prepared.Memory) while it runs, and responses read
// ahead for retries reserve what they hold until they are passed on.

// MemoryState is the budget's part of State.
type MemoryState struct {
	// Reserved is what requests hold now: bodies, decoding, responses
	// read ahead.
	Reserved int64 `json:"reserved_bytes"`
	// Budget is Config.MaxBuffered.
	Budget int64 `json:"budget_bytes"`
}

// memoryState reports the budget.
func (s *Server) memoryState() MemoryState {
	return MemoryState{Reserved: s.mem.Used(), Budget: s.mem.Limit()}
}

// registerMemory adds the budget's gauge to the metrics.
func (s *Server) registerMemory() {
	s.metrics.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vfx_lb_memory_reserved_bytes",
		Help: "Bytes of the load balancer's memory budget (--max-buffered) held by requests: bodies, decoding, responses read ahead.",
	}, func() float64 { return float64(s.mem.Used()) }))
}

// readBody reads a compute request's body into memory on hold (into a
// pooled buffer, x.held, released when the request ends), or answers
// the request and returns false: 413 when the body is longer than
// --max-body (at once when its Content-Length says so), 503 with
// Retry-After when the budget has no room for its next chunk (before it is
// read), 400 when it cannot be read.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, x *exchange, hold *budget.Hold) ([]byte, bool) {
	var scratch []byte
	if r.ContentLength <= s.cfg.MaxBody {
		scratch, x.held = pooledScratch(r.ContentLength)
	}
	body, err := budget.ReadBodyInto(r.Body, r.ContentLength, s.cfg.MaxBody, hold, scratch)
	x.held.read(body)
	switch {
	case err == nil:
		return body, true
	case errors.Is(err, budget.ErrExhausted):
		s.memoryRefused(w, x)
	case errors.Is(err, budget.ErrTooLarge):
		s.answer(w, x, http.StatusRequestEntityTooLarge, metrics.OutcomeClientError,
			fmt.Sprintf("request body is larger than the limit of %d bytes", s.cfg.MaxBody))
	default:
		s.answer(w, x, http.StatusBadRequest, metrics.OutcomeCancelled, "could not read the request body: "+err.Error())
	}
	return nil, false
}

// decodeHeader decodes what routing needs of a request (wire.Prepare,
// then DecodeHeader, or DecodeHeaderOnly for a blur: headers, never
// pixels) within a reservation on hold
// of what that may allocate, released once it is done. A refusal is
// answered (the decoder's 4xx; 503 with Retry-After when the budget has no
// room now; 413 when the request needs more than the budget holds) and
// returned as an error.
func (s *Server) decodeHeader(w http.ResponseWriter, r *http.Request, x *exchange, kind workload.Kind, body []byte, hold *budget.Hold) (*wire.Request, error) {
	p, features, err := wire.Prepare(kind, r.URL.RawQuery, body, s.limits)
	x.features = features
	if err != nil {
		s.answer(w, x, wire.StatusOf(err), metrics.OutcomeClientError, err.Error())
		return nil, err
	}
	need := p.Memory()
	if err := hold.Reserve(need); err != nil {
		if errors.Is(err, budget.ErrTooLarge) {
			s.answer(w, x, http.StatusRequestEntityTooLarge, metrics.OutcomeClientError,
				fmt.Sprintf("decoding this request needs %d bytes of the load balancer's memory, more than its limit of %d allows (--max-buffered)", hold.Held()+need, s.cfg.MaxBuffered))
		} else {
			s.memoryRefused(w, x)
		}
		return nil, err
	}
	defer hold.Free(need)
	decode := p.DecodeHeader
	if kind == workload.Blur {
		// A blur's cost follows from its image's dimensions alone, which
		// the cost model predicts exactly: the exact memory, keyed by the
		// input hash, adds nothing, so only the image's header is decoded
		// (a worker checks the rest, refusing what DecodeHeader would).
		decode = p.DecodeHeaderOnly
	}
	req, features, err := decode()
	x.features = features
	if err != nil {
		s.answer(w, x, wire.StatusOf(err), metrics.OutcomeClientError, err.Error())
		return nil, err
	}
	return req, nil
}

// memoryRefused answers a request the budget has no room for.
func (s *Server) memoryRefused(w http.ResponseWriter, x *exchange) {
	w.Header().Set("Retry-After", "1")
	s.answer(w, x, http.StatusServiceUnavailable, metrics.OutcomeRejected,
		fmt.Sprintf("the load balancer holds its limit of %d bytes of requests (--max-buffered): retry later", s.cfg.MaxBuffered))
}

// responseHead is the start of a worker's response, read before it is
// passed on, and its reservation on the budget.
type responseHead struct {
	b    []byte
	hold *budget.Hold
}

// readAhead reads up to limit bytes of a response body (all of it when it
// is smaller), reserving what it holds on a hold of its own. A body of
// known length (length, -1 when unknown) is read into a buffer of its
// size, or of limit's. When the budget has no more room it stops early:
// the rest of the response is streamed, not read ahead. An error means the
// body ended early (the worker failed); then nothing is held.
func (s *Server) readAhead(body io.Reader, length, limit int64) (responseHead, error) {
	h := responseHead{hold: s.mem.Hold()}
	declared := int64(-1)
	if length >= 0 {
		declared = min(length, limit)
	}
	var err error
	h.b, err = budget.ReadBody(io.LimitReader(body, limit), declared, limit, h.hold)
	if err != nil && !errors.Is(err, budget.ErrExhausted) && !errors.Is(err, budget.ErrTooLarge) {
		h.hold.Release()
		return responseHead{}, err
	}
	return h, nil
}
