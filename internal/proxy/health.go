package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// HealthChecker checks every worker of a pool with GET /health and reads
// its /status (CPU %, in-flight limit).
type HealthChecker struct {
	pool   *Pool
	client *http.Client
}

// NewHealthChecker returns a checker for p using client (nil: a client of
// its own, whose timeout is the pool's HealthTimeout).
func NewHealthChecker(p *Pool, client *http.Client) *HealthChecker {
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     time.Minute,
		}}
	}
	return &HealthChecker{pool: p, client: client}
}

// Run checks every worker each HealthInterval until ctx ends, then closes
// the connections it kept open. A worker joining the pool is checked at the
// next tick.
func (h *HealthChecker) Run(ctx context.Context) {
	defer h.CloseIdleConnections()
	t := time.NewTicker(h.pool.cfg.HealthInterval)
	defer t.Stop()
	for {
		h.CheckAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CloseIdleConnections closes the connections to workers that the checker
// keeps open between checks.
func (h *HealthChecker) CloseIdleConnections() { h.client.CloseIdleConnections() }

// CheckAll checks every worker once, in parallel, and returns when all
// checks are done.
func (h *HealthChecker) CheckAll(ctx context.Context) {
	type target struct{ id, addr string }
	h.pool.mu.Lock()
	targets := make([]target, len(h.pool.workers))
	for i, w := range h.pool.workers {
		targets[i] = target{w.id, w.addr}
	}
	h.pool.mu.Unlock()
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Go(func() {
			err := h.check(ctx, t.addr)
			var st *workerStatus
			if err == nil {
				st = h.status(ctx, t.addr)
			}
			if ctx.Err() == nil {
				h.pool.healthResult(t.id, err, st)
			}
		})
	}
	wg.Wait()
}

// check is one GET /health: a 200 passes, anything else fails.
func (h *HealthChecker) check(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, h.pool.cfg.HealthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(addr, "/")+"/health", nil)
	if err != nil {
		return err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// workerStatus is what the load balancer reads from a worker's /status.
type workerStatus struct {
	CPUPercent  *float64 `json:"cpu_percent"`
	MemoryBytes *int64   `json:"memory_bytes"`
	MaxInflight *int     `json:"max_inflight"`
	MaxInFlight *int     `json:"max_in_flight"`
	Cores       *float64 `json:"cores"`
}

func (s *workerStatus) maxInFlight() int {
	switch {
	case s.MaxInflight != nil:
		return *s.MaxInflight
	case s.MaxInFlight != nil:
		return *s.MaxInFlight
	}
	return 0
}

// status reads GET /status; nil when it fails (a worker without /status is
// still healthy).
func (h *HealthChecker) status(ctx context.Context, addr string) *workerStatus {
	ctx, cancel := context.WithTimeout(ctx, h.pool.cfg.HealthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(addr, "/")+"/status", nil)
	if err != nil {
		return nil
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	var st workerStatus
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return nil
	}
	return &st
}

// healthResult books one health check of a worker: HealthyThreshold
// consecutive passes make a booting or unhealthy worker ready,
// UnhealthyThreshold consecutive failures make a ready one unhealthy. A
// check that times out makes a ready worker suspect at once (suspect.go),
// and a suspect worker returns to ready at its first passed check.
func (p *Pool) healthResult(id string, err error, st *workerStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.byID[id]
	if !ok {
		return
	}
	w.lastHealth = p.now()
	if err != nil {
		w.healthErr = err.Error()
		w.healthOK = 0
		w.healthFail++
		if timedOut(err) {
			w.unresponsive = true
			w.stallLocked()
			p.suspectLocked(w, "health check timed out: "+w.healthErr)
		}
		if w.healthFail >= p.cfg.UnhealthyThreshold {
			if w.state == lifecycle.Ready {
				p.setStateLocked(w, lifecycle.Unhealthy, "failed health checks: "+w.healthErr)
			}
			w.suspect = false // unhealthy the usual way from now on
		}
		return
	}
	w.unresponsive = false
	w.healthErr = ""
	w.healthFail = 0
	w.healthOK++
	if st != nil {
		if st.CPUPercent != nil {
			w.cpu = *st.CPUPercent
		}
		if st.MemoryBytes != nil {
			w.memory = *st.MemoryBytes
		}
		if st.Cores != nil && *st.Cores > 0 && *st.Cores < 1e6 && *st.Cores != w.cores {
			w.advanceLocked(p.now())
			w.cores = *st.Cores
		}
		if m := st.maxInFlight(); m > 0 && m != w.maxInFlight {
			w.maxInFlight = m
			defer p.dispatchLocked()
		}
	}
	switch {
	case w.suspect:
		p.setStateLocked(w, lifecycle.Ready, "answered its health check again")
	case (w.state == lifecycle.Booting || w.state == lifecycle.Unhealthy) && w.healthOK >= p.cfg.HealthyThreshold:
		p.setStateLocked(w, lifecycle.Ready, "passed health checks")
	}
}

// timedOut reports whether a health check failed because the worker did
// not answer in time (rather than refusing or answering an error).
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
