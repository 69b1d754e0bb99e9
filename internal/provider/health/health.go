package health

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// Prober asks workers' /health, each request on a connection of its own.
// It is safe for concurrent use.
type Prober struct {
	hc      *http.Client
	timeout time.Duration
}

// NewProber returns a Prober whose probes last at most timeout each.
func NewProber(timeout time.Duration) *Prober {
	return &Prober{
		hc: &http.Client{Transport: &http.Transport{
			Proxy:             nil, // workers are reached on 127.0.0.1
			DisableKeepAlives: true,
		}},
		timeout: timeout,
	}
}

// Probe returns Ready for 200, Draining for 503 and Booting when the worker
// at address (a base URL) does not answer (or answers anything else)
// within the probe timeout. A response whose X-Worker-Id names another
// worker than id (another process took the port) counts as no answer.
func (p *Prober) Probe(ctx context.Context, address, id string) lifecycle.State {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address+"/health", nil)
	if err != nil {
		return lifecycle.Booting
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return lifecycle.Booting
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if wid := resp.Header.Get("X-Worker-Id"); wid != "" && wid != id {
		return lifecycle.Booting
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return lifecycle.Ready
	case http.StatusServiceUnavailable:
		return lifecycle.Draining
	}
	return lifecycle.Booting
}

// Close releases the prober's idle connections.
func (p *Prober) Close() { p.hc.CloseIdleConnections() }
