package proxy

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// adminWhat names the token the admin endpoints want, in their 401
// answers.
const adminWhat = "the load balancer's admin token (--admin-token)"

// maxAdminBody bounds the body of an admin request.
const maxAdminBody = 4 << 10

// handleAdmin registers the state and admin endpoints and /metrics, each
// behind token (open when it is empty).
func (s *Server) handleAdmin(token access.Secret) {
	admin := func(pattern string, h http.Handler) { s.mux.Handle(pattern, access.Require(token, adminWhat, h)) }
	admin("/api/v1/", http.HandlerFunc(s.serveAPIUnknown))
	admin("/api/v1/state", http.HandlerFunc(s.serveState))
	admin("/api/v1/workers/{id}/drain", http.HandlerFunc(s.serveDrain))
	admin("/api/v1/autoscaler", http.HandlerFunc(s.serveAutoscaler))
	admin("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
}

// SetScaleBounds lets PUT /api/v1/autoscaler change the pool's bounds
// through f (the autoscaler's SetBounds). f must be safe for concurrent
// use and return an error naming the bound it refuses.
func (s *Server) SetScaleBounds(f func(min, max int) error) { s.bounds.Store(&f) }

func (s *Server) serveAPIUnknown(w http.ResponseWriter, r *http.Request) {
	httpError(w, http.StatusNotFound, fmt.Sprintf("unknown path %q: the API serves GET /api/v1/state, POST /api/v1/workers/{id}/drain and GET or PUT /api/v1/autoscaler", r.URL.Path))
}

// serveDrain is POST /api/v1/workers/{id}/drain: the worker gets no new
// requests and finishes those it has; an autoscaler then terminates it
// (and launches a replacement if the pool falls below its minimum). The
// answer is the worker as the state API shows it: 202 when the drain
// started, 200 when it was draining already.
func (s *Server) serveDrain(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodPost) {
		return
	}
	id := r.PathValue("id")
	before, ok := s.worker(id)
	if !ok {
		httpError(w, http.StatusNotFound, fmt.Sprintf("no worker %q in the pool (GET /api/v1/state lists them)", id))
		return
	}
	status := http.StatusAccepted
	switch err := lifecycle.CheckTransition(before.State, lifecycle.Draining); {
	case before.State == lifecycle.Draining:
		status = http.StatusOK
	case err != nil:
		httpError(w, http.StatusConflict, fmt.Sprintf("worker %q cannot be drained: %v", id, err))
		return
	default:
		if err := s.pool.Drain(id); err != nil {
			httpError(w, http.StatusNotFound, err.Error())
			return
		}
		s.log.Info("worker drained through the admin API", "worker", id, "was", before.State, "in_flight", before.InFlight, "remote", r.RemoteAddr)
	}
	after, ok := s.worker(id)
	if !ok {
		httpError(w, http.StatusNotFound, fmt.Sprintf("worker %q left the pool", id))
		return
	}
	writeJSON(w, status, after)
}

// worker is the pool's worker id as a snapshot shows it.
func (s *Server) worker(id string) (WorkerInfo, bool) {
	for _, w := range s.pool.Snapshot().Workers {
		if w.ID == id {
			return w, true
		}
	}
	return WorkerInfo{}, false
}

// serveAutoscaler is GET /api/v1/autoscaler (the autoscaler's state, as
// /api/v1/state shows it) and PUT /api/v1/autoscaler with {"min": N,
// "max": M} (new pool bounds, answered with the bounds now in force).
func (s *Server) serveAutoscaler(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead, http.MethodPut) {
		return
	}
	status, bounds := s.autoscaler.Load(), s.bounds.Load()
	if status == nil || (r.Method == http.MethodPut && bounds == nil) {
		httpError(w, http.StatusNotFound, "no autoscaler drives this pool (a load balancer with --provider static routes to a fixed list of workers)")
		return
	}
	if r.Method != http.MethodPut {
		writeJSON(w, http.StatusOK, (*status)())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err != nil {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("autoscaler bounds: a body of at most %d bytes, e.g. {\"min\": 1, \"max\": 4}", maxAdminBody))
		return
	}
	b, err := ParseBounds(body)
	if err == nil {
		err = (*bounds)(b.Min, b.Max)
	}
	if err != nil {
		httpError(w, http.StatusBadRequest, "autoscaler bounds: "+err.Error())
		return
	}
	s.log.Info("autoscaler bounds changed through the admin API", "min", b.Min, "max", b.Max, "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, b)
}

// allowMethods answers 405 with an Allow header unless r's method is one
// of methods.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	httpError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(methods, " or ")))
	return false
}
