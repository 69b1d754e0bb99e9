package e2etest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/testutil"
)

// TestFrozenWorkerIsAvoided runs two real `vfx worker` processes behind an
// in-process load balancer and SIGSTOPs one of them while it renders: the
// requests it holds are answered by the other worker once their attempt
// deadlines pass (hedges; before, they waited for --request-timeout), no
// request is routed to it after its first
// timeout, and after SIGCONT it returns to service.
func TestFrozenWorkerIsAvoided(t *testing.T) {
	const victim, other = "frozen-a", "frozen-b"
	workers := map[string]*proc{}
	addrs := map[string]string{}
	for _, id := range []string{victim, other} {
		addrs[id] = testutil.NeedFreeAddr(t)
		w := start(t, "worker", "--listen", addrs[id], "--store", "none", "--id", id, "--threads", "1", "--max-inflight", "2")
		w.WaitOutput(t, regexp.MustCompile(`worker listening`), 30*time.Second)
		workers[id] = w
	}
	pid := workers[victim].Cmd.Process.Pid
	// Runs before the process's own clean-up (SIGTERM, SIGKILL), which a
	// stopped process would not act on.
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })

	ev := &events{}
	rr, err := balancer.New("round-robin")
	if err != nil {
		t.Fatal(err)
	}
	cfg := proxy.Default()
	cfg.Policy = "round-robin"
	cfg.HealthInterval = 250 * time.Millisecond
	cfg.HealthTimeout = 250 * time.Millisecond
	cfg.RequestTimeout = 60 * time.Second
	log := slog.New(&eventHandler{Handler: testutil.Logger(t).Handler(), ev: ev})
	speeds := estimator.NewSpeeds(estimator.SpeedOptions{})
	pool := proxy.NewPool(proxy.PoolOptions{Config: cfg, Policy: &recordingPolicy{Policy: rr, ev: ev}, Speeds: speeds, Log: log})
	srv, err := proxy.New(proxy.Options{Config: cfg, Pool: pool, Estimator: estimator.New(estimator.Options{}), Speeds: speeds, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{victim, other} {
		if err := pool.Add(provider.Instance{ID: id, Address: "http://" + addrs[id]}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, stopLoops := context.WithCancel(context.Background())
	srv.Start(ctx, nil)
	lb := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		lb.CloseClientConnections()
		lb.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("load balancer shutdown: %v", err)
		}
		stopLoops()
	})
	waitState(t, pool, victim, lifecycle.Ready, 30*time.Second)
	waitState(t, pool, other, lifecycle.Ready, 30*time.Second)

	// A ray trace of about a second on one core.
	body, _ := json.Marshal(map[string]string{"scene": string(testutil.SeedFile(t, "raytracer/scenes/test04.txt"))})
	path := "/raytracer?scols=600&srows=450&wcols=600&wrows=450&coff=0&roff=0&aa=false"
	client := &http.Client{Timeout: 90 * time.Second}
	send := func(i int) result {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, lb.URL+path, bytes.NewReader(body))
		req.Header.Set("X-Request-Id", fmt.Sprintf("frozen-%02d", i))
		resp, err := client.Do(req)
		if err != nil {
			return result{id: req.Header.Get("X-Request-Id"), err: err}
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return result{id: req.Header.Get("X-Request-Id"), status: resp.StatusCode, worker: resp.Header.Get("X-Worker-Id"),
			body: b, start: start, took: time.Since(start)}
	}
	// Warm up: the cost model and the workers' speeds learn this request.
	for i := range 2 {
		if r := send(i); r.err != nil || r.status != 200 {
			t.Fatalf("warm-up request: %+v", r)
		}
	}

	results := make(chan result, 8)
	for i := range 4 {
		go func() { results <- send(10 + i) }()
	}
	waitFor(t, 30*time.Second, victim+" rendering", func() bool { return inFlight(pool, victim) > 0 })
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	held := inFlight(pool, victim) // at least; more may have been on their way
	t.Logf("%s stopped with %d requests in flight", victim, held)
	// More requests arrive while it is stopped.
	for i := range 4 {
		go func() { results <- send(20 + i) }()
	}
	decisions := map[string]proxy.Decision{}
	answered := make([]result, 0, 8)
	for range 8 {
		answered = append(answered, <-results)
	}
	// The test sends its own ids: the load balancer keeps them as the
	// client's, beside its own request id.
	for _, d := range srv.State().Decisions {
		decisions[d.ClientRequestID] = d
	}
	hedged, finished := 0, 0
	for _, r := range answered {
		if r.err != nil || r.status != 200 {
			t.Errorf("request %s: status %d, err %v: %.200s", r.id, r.status, r.err, r.body)
			continue
		}
		if !strings.HasPrefix(string(r.body), "data:image/bmp;base64,") {
			t.Errorf("request %s: answer %.60q is not a BMP data URL", r.id, r.body)
		}
		t.Logf("request %s answered by %s in %s", r.id, r.worker, r.took.Round(time.Millisecond))
		// An attempt the stopped worker held was hedged on the other
		// worker when its deadline passed, and the hedge answered.
		d := decisions[r.id]
		for _, a := range d.Tries {
			if a.Worker != victim {
				continue
			}
			if a.Result == "won" { // it answered just before the stop
				finished++
				continue
			}
			h, ok := hedgeOf(d, a.Attempt)
			if !ok {
				t.Errorf("request %s: attempt %d on %s was not hedged: %+v", r.id, a.Attempt, victim, d.Tries)
				continue
			}
			hedged++
			sent := h.StartMs - h.QueuedMs
			if !a.Overdue || a.TimeoutMs <= 0 || sent > a.StartMs+a.TimeoutMs+2000 {
				t.Errorf("request %s: attempt %d on %s (deadline %.0f ms after its start at %.0f ms) was hedged at %.0f ms",
					r.id, a.Attempt, victim, a.TimeoutMs, a.StartMs, sent)
			}
			if h.Worker != other || h.Result != "won" || a.Result != "lost" || !d.Hedged {
				t.Errorf("request %s: hedge %+v of %+v", r.id, h, a)
			}
		}
	}
	if hedged+finished < held {
		t.Errorf("%d attempts hedged, want at least the %d the stopped worker held", hedged, held)
	}

	// No request was routed to the stopped worker after its first timeout.
	first := ev.firstAfter(stopped, "state "+victim+" ")
	if first < 0 {
		t.Fatalf("%s never left ready: events %v", victim, ev.all())
	}
	all := ev.all()
	if e := all[first]; !strings.Contains(e.what, "suspect: health check timed out") && !strings.Contains(e.what, "suspect: attempt deadline passed") {
		t.Errorf("%s left service for a reason that is not its first timeout: %s", victim, e.what)
	}
	t.Logf("%s left service %s after the stop: %s", victim, all[first].at.Sub(stopped).Round(time.Millisecond), all[first].what)
	for _, e := range all[first:] {
		if e.what == "pick "+victim {
			t.Errorf("a request was routed to %s at %s, after it was taken out of service: %v", victim, e.at.Format(time.StampMicro), all[first:])
			break
		}
	}

	// SIGCONT: it answers its health checks again and gets requests.
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	waitState(t, pool, victim, lifecycle.Ready, 30*time.Second)
	t.Logf("%s back in service %s after SIGCONT", victim, time.Since(resumed).Round(time.Millisecond))
	served := map[string]int{}
	for i := range 4 {
		r := send(30 + i)
		if r.err != nil || r.status != 200 {
			t.Fatalf("request after SIGCONT: %+v", r)
		}
		served[r.worker]++
	}
	if served[victim] == 0 {
		t.Errorf("after SIGCONT %s served none of 4 round-robin requests: %v", victim, served)
	}
}

// hedgeOf finds the hedge of attempt n in d.
func hedgeOf(d proxy.Decision, n int) (proxy.Attempt, bool) {
	for _, a := range d.Tries {
		if a.Kind == "hedge" && a.HedgeOf == n {
			return a, true
		}
	}
	return proxy.Attempt{}, false
}

// result is one request's answer as the client saw it.
type result struct {
	id, worker string
	status     int
	body       []byte
	err        error
	start      time.Time
	took       time.Duration
}

// events is the ordered list of what the pool did under its lock: routing
// picks (recordingPolicy) and worker state changes (eventHandler).
type events struct {
	mu   sync.Mutex
	list []event
}

type event struct {
	at   time.Time
	what string
}

func (e *events) add(what string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, event{time.Now(), what})
}

func (e *events) all() []event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]event(nil), e.list...)
}

// firstAfter is the index of the first event after t that starts with
// prefix, -1 if none.
func (e *events) firstAfter(t time.Time, prefix string) int {
	for i, ev := range e.all() {
		if ev.at.After(t) && strings.HasPrefix(ev.what, prefix) {
			return i
		}
	}
	return -1
}

// recordingPolicy records every pick of the policy it wraps.
type recordingPolicy struct {
	balancer.Policy
	ev *events
}

func (p *recordingPolicy) Pick(req balancer.Request, ws []balancer.WorkerState, rng *rand.Rand) (int, error) {
	i, err := p.Policy.Pick(req, ws, rng)
	if err == nil && i >= 0 && i < len(ws) {
		p.ev.add("pick " + ws[i].ID)
	}
	return i, err
}

// eventHandler records the pool's "worker state" log lines as events and
// passes every line on.
type eventHandler struct {
	slog.Handler
	ev *events
}

func (h *eventHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "worker state" {
		var worker, to, reason string
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "worker":
				worker = a.Value.String()
			case "to":
				to = a.Value.String()
			case "reason":
				reason = a.Value.String()
			}
			return true
		})
		h.ev.add("state " + worker + " " + to + " " + reason)
	}
	return h.Handler.Handle(ctx, r)
}

func (h *eventHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &eventHandler{Handler: h.Handler.WithAttrs(as), ev: h.ev}
}

func (h *eventHandler) WithGroup(name string) slog.Handler {
	return &eventHandler{Handler: h.Handler.WithGroup(name), ev: h.ev}
}

func inFlight(p *proxy.Pool, id string) int {
	for _, w := range p.Snapshot().Workers {
		if w.ID == id {
			return w.InFlight
		}
	}
	return 0
}

func waitState(t *testing.T, p *proxy.Pool, id string, want lifecycle.State, d time.Duration) {
	t.Helper()
	waitFor(t, d, id+" "+want.String(), func() bool {
		for _, w := range p.Snapshot().Workers {
			if w.ID == id {
				return w.State == want
			}
		}
		return false
	})
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, d, 10*time.Millisecond, what, cond)
}
