package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// gateWorker holds every request until it is let through, and records the
// order requests arrived in by their X-Request-Id.
type gateWorker struct {
	*httptest.Server
	mu    sync.Mutex
	order []string
	gate  chan struct{}
}

func newGateWorker(t *testing.T) *gateWorker {
	g := &gateWorker{gate: make(chan struct{}, 100)}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			return
		}
		io.Copy(io.Discard, r.Body)
		g.mu.Lock()
		g.order = append(g.order, r.Header.Get("X-Request-Id"))
		g.mu.Unlock()
		select {
		case <-g.gate:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("X-Work-Units", "5")
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(func() { close(g.gate); g.Close() })
	return g
}

func (g *gateWorker) arrived() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.order)
}

// send posts a ray-tracer request with the given ID in the background.
// The response comes with its body read (and the connection released): a
// nil response means the request failed.
func (r *rig) send(ctx context.Context, id string) <-chan *http.Response {
	ch := make(chan *http.Response, 1)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.lb.URL+rayPath, bytes.NewReader(rayBody()))
	req.Header.Set("X-Request-Id", id)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			ch <- nil
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			ch <- nil
			return
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		ch <- resp
	}()
	return ch
}

func (r *rig) queueLen() int { return r.pool.Snapshot().Queue.Len }

func TestQueueIsFIFO(t *testing.T) {
	g := newGateWorker(t)
	cfg := testConfig()
	cfg.MaxInFlight = 1
	r := newRig(t, cfg, nil, g.URL)
	ids := []string{"a", "b", "c", "d", "e"}
	var resps []<-chan *http.Response
	for i, id := range ids {
		resps = append(resps, r.send(context.Background(), id))
		if i == 0 {
			waitFor(t, 10*time.Second, "a at the worker", func() bool { return len(g.arrived()) == 1 })
		} else {
			waitFor(t, 10*time.Second, id+" queued", func() bool { return r.queueLen() == i })
		}
	}
	if q := r.pool.Snapshot().Queue; q.PredictedUnits != 4000 {
		t.Errorf("queue predicted units = %v, want 4 × 1000", q.PredictedUnits)
	}
	for i := range ids {
		g.gate <- struct{}{}
		resp := <-resps[i]
		if resp == nil || resp.StatusCode != 200 {
			t.Fatalf("request %s failed: %v", ids[i], resp)
		}
		resp.Body.Close()
	}
	if got := g.arrived(); !slices.Equal(got, ids) {
		t.Errorf("worker saw %v, want arrival order %v", got, ids)
	}
	if d := r.srv.decisions.recent(); d[0].QueuedMs <= 0 {
		t.Errorf("the last request's queueing time is %v ms, want > 0", d[0].QueuedMs)
	}
}

func TestQueueTimeout(t *testing.T) {
	g := newGateWorker(t)
	cfg := testConfig()
	cfg.MaxInFlight = 1
	cfg.QueueTimeout = 100 * time.Millisecond
	r := newRig(t, cfg, nil, g.URL)
	first := r.send(context.Background(), "first")
	waitFor(t, 10*time.Second, "first at the worker", func() bool { return len(g.arrived()) == 1 })
	resp := <-r.send(context.Background(), "second")
	body := readAll(t, resp)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "queue timeout of 100ms") {
		t.Errorf("got %d (Retry-After %q) %q, want 503 + Retry-After naming the timeout", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if n := r.queueLen(); n != 0 {
		t.Errorf("queue length %d after the timeout, want 0", n)
	}
	g.gate <- struct{}{}
	if resp := <-first; resp == nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v", resp)
	}
}

func TestQueueFull(t *testing.T) {
	g := newGateWorker(t)
	cfg := testConfig()
	cfg.MaxInFlight = 1
	cfg.QueueLen = 1
	r := newRig(t, cfg, nil, g.URL)
	first := r.send(context.Background(), "first")
	waitFor(t, 10*time.Second, "first at the worker", func() bool { return len(g.arrived()) == 1 })
	second := r.send(context.Background(), "second")
	waitFor(t, 10*time.Second, "second queued", func() bool { return r.queueLen() == 1 })
	resp := <-r.send(context.Background(), "third")
	body := readAll(t, resp)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, "queue is full (1 waiting)") {
		t.Errorf("got %d (Retry-After %q) %q, want 503 + Retry-After: queue full", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if n := r.queueLen(); n != 1 {
		t.Errorf("queue length %d, want the second request still waiting", n)
	}
	g.gate <- struct{}{}
	g.gate <- struct{}{}
	for _, ch := range []<-chan *http.Response{first, second} {
		if resp := <-ch; resp == nil || resp.StatusCode != 200 {
			t.Fatalf("queued request failed: %v", resp)
		}
	}
	if got := g.arrived(); !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("worker saw %v", got)
	}
}

func TestQueuedClientDisconnectLeavesTheQueue(t *testing.T) {
	g := newGateWorker(t)
	cfg := testConfig()
	cfg.MaxInFlight = 1
	r := newRig(t, cfg, nil, g.URL)
	first := r.send(context.Background(), "first")
	waitFor(t, 10*time.Second, "first at the worker", func() bool { return len(g.arrived()) == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	gone := r.send(ctx, "gone")
	waitFor(t, 10*time.Second, "gone queued", func() bool { return r.queueLen() == 1 })
	cancel()
	if resp := <-gone; resp != nil {
		t.Fatalf("the cancelled request got a response: %d", resp.StatusCode)
	}
	waitFor(t, 10*time.Second, "the queue to empty", func() bool { return r.queueLen() == 0 })
	g.gate <- struct{}{}
	if resp := <-first; resp == nil || resp.StatusCode != 200 {
		t.Fatal("first request failed")
	}
	if got := g.arrived(); !slices.Equal(got, []string{"first"}) {
		t.Errorf("worker saw %v, want only the first request", got)
	}
}

func TestPendingWorkerGetsRequestsOnceHealthy(t *testing.T) {
	w0 := okWorker(t, "late", 3)
	cfg := testConfig()
	r := newRig(t, cfg, nil) // no worker yet
	done := r.send(context.Background(), "waits")
	waitFor(t, 10*time.Second, "the request queued", func() bool { return r.queueLen() == 1 })
	if err := r.pool.Add(provider.Instance{ID: "late", Address: w0.URL}); err != nil {
		t.Fatal(err)
	}
	if st := r.state("late"); st != lifecycle.Booting {
		t.Fatalf("a new worker is %s, want booting", st)
	}
	hc := NewHealthChecker(r.pool, nil)
	defer hc.CloseIdleConnections()
	for range cfg.HealthyThreshold {
		if r.queueLen() != 1 {
			t.Fatal("the request left the queue before the worker was healthy")
		}
		hc.CheckAll(context.Background())
	}
	resp := <-done
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("queued request: %v", resp)
	}
	resp.Body.Close()
}

func TestDrainAndWaitIdle(t *testing.T) {
	g := newGateWorker(t)
	other := okWorker(t, "other", 1)
	r := newRig(t, testConfig(), nil, g.URL, other.URL)
	inflight := r.send(context.Background(), "long")
	waitFor(t, 10*time.Second, "the request at w0", func() bool { return len(g.arrived()) == 1 })
	if err := r.pool.Drain("w0"); err != nil {
		t.Fatal(err)
	}
	if err := r.pool.Drain("nope"); err == nil {
		t.Error("draining an unknown worker succeeded")
	}
	resp := r.post()
	readAll(t, resp)
	if d := r.srv.decisions.recent()[0]; d.Worker != "w1" {
		t.Errorf("a new request went to %s while w0 drains", d.Worker)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	err := r.pool.WaitIdle(ctx, "w0")
	cancel()
	if err == nil {
		t.Fatal("WaitIdle returned while a request was in flight")
	}
	idle := make(chan error, 1)
	go func() { idle <- r.pool.WaitIdle(context.Background(), "w0") }()
	g.gate <- struct{}{}
	if resp := <-inflight; resp == nil || resp.StatusCode != 200 {
		t.Fatal("the draining worker's request failed")
	}
	select {
	case err := <-idle:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("WaitIdle did not return once the worker was idle")
	}
	hc := NewHealthChecker(r.pool, nil)
	defer hc.CloseIdleConnections()
	hc.CheckAll(context.Background())
	hc.CheckAll(context.Background())
	if st := r.state("w0"); st != lifecycle.Draining {
		t.Errorf("health checks turned a draining worker %s", st)
	}
	if err := r.pool.Remove("w0"); err != nil {
		t.Fatal(err)
	}
	if ids := r.pool.IDs(); !slices.Equal(ids, []string{"w1"}) {
		t.Errorf("pool holds %v after Remove", ids)
	}
}

func TestShutdownHandsBackQueuedRequests(t *testing.T) {
	g := newGateWorker(t)
	cfg := testConfig()
	cfg.MaxInFlight = 1
	r := newRig(t, cfg, nil, g.URL)
	first := r.send(context.Background(), "first")
	waitFor(t, 10*time.Second, "first at the worker", func() bool { return len(g.arrived()) == 1 })
	queued := r.send(context.Background(), "queued")
	waitFor(t, 10*time.Second, "queued", func() bool { return r.queueLen() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err == nil {
		t.Error("Shutdown with requests left reported no error")
	}
	for name, ch := range map[string]<-chan *http.Response{"first": first, "queued": queued} {
		resp := <-ch
		if resp == nil {
			t.Fatalf("%s: no response", name)
		}
		body := readAll(t, resp)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "shutting down") {
			t.Errorf("%s: got %d %q, want 503 + Retry-After: shutting down", name, resp.StatusCode, body)
		}
	}
	resp := r.post()
	if body := readAll(t, resp); resp.StatusCode != 503 || !strings.Contains(body, "shutting down") {
		t.Errorf("a request after shutdown got %d %q", resp.StatusCode, body)
	}
}

func TestShutdownWaitsForRequestsToFinish(t *testing.T) {
	g := newGateWorker(t)
	r := newRig(t, testConfig(), nil, g.URL)
	first := r.send(context.Background(), "first")
	waitFor(t, 10*time.Second, "first at the worker", func() bool { return len(g.arrived()) == 1 })
	// Shutdown may return only after the request it waits for was let
	// through: released says whether it was when Shutdown returned.
	var released atomic.Bool
	done := make(chan bool, 1)
	go func() {
		err := r.srv.Shutdown(context.Background())
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		done <- released.Load()
	}()
	waitFor(t, 10*time.Second, "the shutdown to begin", func() bool { return r.srv.shutting.Load() })
	released.Store(true)
	g.gate <- struct{}{}
	if resp := <-first; resp == nil || resp.StatusCode != 200 {
		t.Fatalf("the in-flight request did not finish: %v", resp)
	}
	if !<-done {
		t.Fatal("Shutdown returned with a request in flight")
	}
}

func TestBufferedBytesLimit(t *testing.T) {
	g := newGateWorker(t)
	cfg := testConfig()
	cfg.MaxBody = int64(len(rayBody()))
	// Room for one request: its body, and decoding it; a request that
	// holds its body at the worker leaves no room to decode another.
	p, _, err := wire.Prepare(workload.Raytracer, strings.SplitN(rayPath, "?", 2)[1], rayBody(), wire.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxBuffered = budget.For(cfg.MaxBody + p.Memory())
	r := newRig(t, cfg, nil, g.URL)
	first := r.send(context.Background(), "first")
	waitFor(t, 10*time.Second, "first at the worker", func() bool { return len(g.arrived()) == 1 })
	resp := <-r.send(context.Background(), "second")
	body := readAll(t, resp)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "bytes of requests") {
		t.Errorf("got %d %q, want 503 + Retry-After: too much buffered", resp.StatusCode, body)
	}
	g.gate <- struct{}{}
	if resp := <-first; resp == nil || resp.StatusCode != 200 {
		t.Fatal("first request failed")
	}
	g.gate <- struct{}{}
	if resp := <-r.send(context.Background(), "third"); resp == nil || resp.StatusCode != 200 {
		t.Errorf("once the first was done, another request got %v", resp)
	}
}
