package worker

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// HealthReport is the body of GET /health.
type HealthReport struct {
	Status lifecycle.State `json:"status"` // ready (200) or draining (503)
}

// StatusReport is the body of GET /status.
type StatusReport struct {
	WorkerID      string          `json:"worker_id"`
	Address       string          `json:"address,omitempty"`
	Health        lifecycle.State `json:"health"`
	StartedAt     string          `json:"started_at"` // RFC 3339
	UptimeSeconds float64         `json:"uptime_s"`
	Cores         float64         `json:"cores"`
	// CPUPercent is the process's CPU use over the last sample interval, in
	// % of its CPU capacity, Cores (100 = all of it busy).
	CPUPercent  float64 `json:"cpu_percent"`
	MemoryBytes uint64  `json:"memory_bytes"` // resident set size
	// MaxMemory is the memory budget (--max-memory); MemoryReserved what
	// requests hold of it now.
	MaxMemory      int64 `json:"max_memory"`
	MemoryReserved int64 `json:"memory_reserved"`
	MaxInFlight    int   `json:"max_in_flight"`
	// InFlight lists the compute requests being served, oldest first.
	InFlight []InFlightRequest `json:"in_flight"`
	// Totals counts finished compute requests by workload and outcome.
	Totals map[string]map[string]int64 `json:"totals"`
}

// InFlightRequest is one compute request being served.
type InFlightRequest struct {
	ID             string  `json:"id"`
	Workload       string  `json:"workload"`
	PredictedUnits float64 `json:"predicted_units,omitempty"` // from X-Predicted-Units
	ElapsedMs      float64 `json:"elapsed_ms"`
}

func (s *Server) serveHealth(w http.ResponseWriter, _ *http.Request) {
	h := s.Health()
	status := http.StatusOK
	if h != lifecycle.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, HealthReport{Status: h})
}

// Status reports the worker's state now.
func (s *Server) Status(now time.Time) StatusReport {
	s.mu.Lock()
	addr, last := s.address, s.last
	s.mu.Unlock()
	rep := StatusReport{
		WorkerID: s.cfg.ID, Address: addr, Health: s.Health(),
		StartedAt:     s.started.UTC().Format(time.RFC3339Nano),
		UptimeSeconds: now.Sub(s.started).Seconds(),
		Cores:         s.cores,
		CPUPercent:    last.cpu, MemoryBytes: last.usage.RSS,
		MaxMemory: s.mem.Limit(), MemoryReserved: s.mem.Used(),
		MaxInFlight: s.cfg.MaxInflight,
		InFlight:    []InFlightRequest{},
		Totals:      s.tel.snapshotTotals(),
	}
	for _, a := range s.flight.list() {
		rep.InFlight = append(rep.InFlight, InFlightRequest{
			ID: a.id, Workload: string(a.kind), PredictedUnits: a.predicted,
			ElapsedMs: float64(now.Sub(a.start).Microseconds()) / 1000,
		})
	}
	return rep
}

func (s *Server) serveStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Status(time.Now()))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeText(w, http.StatusInternalServerError, "encoding JSON: "+err.Error())
		return
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
