package loadgen

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run sends cfg's request sequence to its target and returns the summary
// of what ran. It returns when the sequence is over (its count, its
// duration or its arrival process) and every request has been answered or
// has timed out, or, once ctx ends, after it stops sending and waits at
// most cfg.Drain for the answers in flight (Summary.Interrupted). The
// summary is returned with an error when the trace could not be written
// or an input could not be built.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, err := CheckTarget(cfg.Target, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	cfg = cfg.resolved()
	r := &runner{cfg: cfg, base: *base, work: make(chan planned)}
	r.base.Path = strings.TrimRight(r.base.Path, "/")
	return r.run(ctx)
}

// runner is one run.
type runner struct {
	cfg     Config
	base    url.URL
	hc      *http.Client
	start   time.Time
	results chan result
	sent    atomic.Int64

	// flight is the context of the requests in flight: it ends only when
	// the drain after a cancellation is over.
	flight       context.Context
	cancelFlight context.CancelFunc

	// The open loop's senders: a pool that grows up to MaxInFlight.
	work    chan planned
	senders int
	wg      sync.WaitGroup
}

func (r *runner) run(ctx context.Context) (*Summary, error) {
	rt := r.cfg.Transport
	if rt == nil {
		conns := r.cfg.MaxInFlight
		if r.cfg.Clients > 0 {
			conns = r.cfg.Clients
		}
		t := newTransport(conns)
		defer t.CloseIdleConnections()
		rt = t
	}
	r.hc = &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r.flight, r.cancelFlight = context.WithCancel(context.WithoutCancel(ctx))
	defer r.cancelFlight()

	src := newSource(newSequence(r.cfg))
	defer src.close()
	r.results = make(chan result, 4096)
	col := newCollector(r.cfg, &r.sent)
	collected := make(chan struct{})
	r.start = time.Now()
	go func() {
		col.run(r.results, r.start)
		close(collected)
	}()

	var (
		loopErr     error
		interrupted bool
	)
	if r.cfg.Clients > 0 {
		clientsErr := r.closedLoop(ctx, src)
		interrupted = r.waitInFlight(ctx)
		loopErr = clientsErr()
	} else {
		loopErr = r.openLoop(ctx, src)
		interrupted = r.waitInFlight(ctx)
	}
	elapsed := time.Since(r.start)
	close(r.results)
	<-collected
	sum := col.summary(r.cfg, elapsed, interrupted)
	if loopErr != nil {
		return sum, loopErr
	}
	if col.sinkErr != nil {
		return sum, fmt.Errorf("writing the trace: %w", col.sinkErr)
	}
	return sum, nil
}

// newTransport is a transport for conns requests at once: an idle pool of
// that many connections to the target, so that none is closed and
// reopened between requests, no proxy from the environment, no
// compression.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// openLoop sends each request at its scheduled time, whatever the others
// are doing, until the sequence ends or ctx does.
func (r *runner) openLoop(ctx context.Context, src *source) error {
	defer close(r.work)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		p, ok, err := src.next(ctx)
		if err != nil || !ok {
			return err
		}
		if d := time.Until(r.start.Add(p.at)); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return nil
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return nil
		}
		if !r.dispatch(ctx, p) {
			return nil
		}
	}
}

// dispatch hands p to an idle sender, or to a new one while there are
// fewer than MaxInFlight, or else waits for one to be free (p is then
// late, and its latency still counts from its scheduled time). It
// reports false if ctx ended first.
func (r *runner) dispatch(ctx context.Context, p planned) bool {
	select {
	case r.work <- p:
		return true
	default:
	}
	if r.senders < r.cfg.MaxInFlight {
		// A dispatcher catching up does not yield, so senders that have
		// just finished may not have run yet: let them take p rather than
		// open one connection more, which costs the target and the
		// generator more than a request.
		runtime.Gosched()
		select {
		case r.work <- p:
			return true
		default:
		}
		r.senders++
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.send(p)
			for p := range r.work {
				r.send(p)
			}
		}()
		return true
	}
	select {
	case r.work <- p:
		return true
	case <-ctx.Done():
		return false
	}
}

// closedLoop starts the clients: each takes the next request of the
// sequence when its previous one is answered (and Think has passed),
// until the sequence ends, Duration has passed or ctx ends. A request's
// scheduled time is when its client took it. The clients are the
// requests in flight (waitInFlight); the returned function gives the
// error that stopped them, once they are done.
func (r *runner) closedLoop(ctx context.Context, src *source) func() error {
	var (
		mu       sync.Mutex
		firstErr error
	)
	take := func() (planned, bool) {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil || firstErr != nil || (r.cfg.Duration > 0 && time.Since(r.start) >= r.cfg.Duration) {
			return planned{}, false
		}
		p, ok, err := src.next(ctx)
		if err != nil {
			firstErr = err
		}
		p.at = time.Since(r.start)
		return p, ok && err == nil
	}
	for range r.cfg.Clients {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			t := time.NewTimer(time.Hour)
			t.Stop()
			defer t.Stop()
			for {
				p, ok := take()
				if !ok {
					return
				}
				r.send(p)
				if r.cfg.Think > 0 {
					t.Reset(r.cfg.Think)
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
				}
			}
		}()
	}
	return func() error {
		mu.Lock()
		defer mu.Unlock()
		return firstErr
	}
}

// waitInFlight waits for the requests in flight. Once ctx has ended it
// waits at most Drain, then cuts the rest. It reports whether the run was
// interrupted by ctx.
func (r *runner) waitInFlight(ctx context.Context) bool {
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return ctx.Err() != nil
	case <-ctx.Done():
	}
	t := time.NewTimer(r.cfg.Drain)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.cancelFlight()
		<-done
	}
	return true
}
