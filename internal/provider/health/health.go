package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/lease"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// Lease says how a Prober renews the leases of the workers it probes.
type Lease struct {
	// Holder names the lease holder (the deployment's owner); "" renews
	// nothing.
	Holder string
	// Token is the worker token, sent as a bearer token with every probe
	// ("" for none): a worker with a token refuses a renewal without it.
	Token string
}

// Prober asks workers' /health, each request on a connection of its own,
// renewing their leases as it goes. It is safe for concurrent use.
type Prober struct {
	hc      *http.Client
	timeout time.Duration
	lease   Lease
}

// NewProber returns a Prober whose probes last at most timeout each and
// renew the workers' leases as l says.
func NewProber(timeout time.Duration, l Lease) *Prober {
	return &Prober{
		hc: &http.Client{Transport: &http.Transport{
			Proxy:             nil, // workers are reached on 127.0.0.1
			DisableKeepAlives: true,
		}},
		timeout: timeout,
		lease:   l,
	}
}

// Probe returns Ready for 200, Draining for 503 and Booting when the worker
// at address (a base URL) does not answer (or answers anything else)
// within the probe timeout. A response whose X-Worker-Id names another
// worker than id (another process took the port) counts as no answer.
// The probe renews the worker's lease.
func (p *Prober) Probe(ctx context.Context, address, id string) lifecycle.State {
	st, _ := p.probe(ctx, address, id)
	return st
}

// probe is Probe, with the reason a worker was not found Ready or
// Draining.
func (p *Prober) probe(ctx context.Context, address, id string) (lifecycle.State, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address+"/health", nil)
	if err != nil {
		return lifecycle.Booting, err
	}
	if p.lease.Holder != "" {
		req.Header.Set(lease.Header, p.lease.Holder)
	}
	if p.lease.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.lease.Token)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return lifecycle.Booting, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if wid := resp.Header.Get("X-Worker-Id"); wid != "" && wid != id {
		return lifecycle.Booting, fmt.Errorf("%s answers as worker %q", address, wid)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return lifecycle.Ready, nil
	case http.StatusServiceUnavailable:
		return lifecycle.Draining, nil
	case http.StatusUnauthorized:
		return lifecycle.Booting, ErrRefused
	}
	return lifecycle.Booting, fmt.Errorf("/health answered %s", resp.Status)
}

// ErrRefused is the error of a renewal the worker refused: it wants
// another worker token.
var ErrRefused = errors.New("lease renewal refused: the worker wants another worker token")

// Target is a worker whose lease a Prober renews.
type Target struct{ ID, Address string }

// Renew probes every target once, in parallel, renewing its lease, and
// returns the errors of those that did not answer Ready or Draining, by
// id.
func (p *Prober) Renew(ctx context.Context, targets []Target) map[string]error {
	var (
		mu   sync.Mutex
		errs = map[string]error{}
		wg   sync.WaitGroup
	)
	for _, t := range targets {
		wg.Go(func() {
			if _, err := p.probe(ctx, t.Address, t.ID); err != nil {
				mu.Lock()
				errs[t.ID] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

// KeepRenewing renews the leases of the workers targets lists every
// interval until ctx ends. A refused renewal is logged as a warning, a
// failed one at debug level (the worker may be starting or exiting; its
// health is its provider's business).
func (p *Prober) KeepRenewing(ctx context.Context, interval time.Duration, targets func(context.Context) []Target, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for id, err := range p.Renew(ctx, targets(ctx)) {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, ErrRefused) {
				log.Warn("lease renewal refused", "id", id, "err", err)
			} else {
				log.Debug("lease renewal failed", "id", id, "err", err)
			}
		}
	}
}

// Close releases the prober's idle connections.
func (p *Prober) Close() { p.hc.CloseIdleConnections() }
