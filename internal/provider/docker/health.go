package docker

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/specialvfx/vfx/internal/provider"
)

// prober asks workers' /health through their published ports.
type prober struct {
	hc      *http.Client
	timeout time.Duration
}

func newProber(timeout time.Duration) *prober {
	return &prober{
		hc: &http.Client{Transport: &http.Transport{
			Proxy:             nil, // published ports are on 127.0.0.1
			DisableKeepAlives: true,
		}},
		timeout: timeout,
	}
}

// probe returns Ready for 200, Draining for 503 and Pending when the worker
// does not answer (or answers anything else) within the probe timeout, or
// when its X-Worker-Id names another worker.
func (p *prober) probe(ctx context.Context, address, id string) provider.State {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address+"/health", nil)
	if err != nil {
		return provider.Pending
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return provider.Pending
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if wid := resp.Header.Get("X-Worker-Id"); wid != "" && wid != id {
		return provider.Pending
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return provider.Ready
	case http.StatusServiceUnavailable:
		return provider.Draining
	}
	return provider.Pending
}

func (p *prober) close() { p.hc.CloseIdleConnections() }
