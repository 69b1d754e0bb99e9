package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/testutil"
)

// heldWorker is a test worker whose compute requests wait until release
// is closed (then it answers like okWorker) or the load balancer cancels
// them. got receives each request's ID as it arrives and cancelled each
// one cancelled. Its /health answers at once unless frozen, when it hangs
// until the check gives up.
type heldWorker struct {
	*httptest.Server
	name           string
	got, cancelled chan string
	release        chan struct{}
	once           sync.Once
	frozen         atomic.Bool
}

func newHeldWorker(t *testing.T, name string) *heldWorker {
	t.Helper()
	h := &heldWorker{name: name, got: make(chan string, 16), cancelled: make(chan string, 16), release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			if h.frozen.Load() {
				<-r.Context().Done()
				return
			}
			fmt.Fprintln(w, `{"status":"ready"}`)
			return
		}
		io.Copy(io.Discard, r.Body)
		id := r.Header.Get("X-Request-Id")
		h.got <- id
		select {
		case <-h.release:
			w.Header().Set("X-Worker-Id", name)
			w.Header().Set("X-Work-Units", "7")
			fmt.Fprint(w, "served by "+name)
		case <-r.Context().Done():
			h.cancelled <- id
		}
	}))
	t.Cleanup(func() {
		h.answer()
		h.Close()
	})
	return h
}

// answer lets the held requests, and every later one, be answered.
func (h *heldWorker) answer() { h.once.Do(func() { close(h.release) }) }

// receive waits for a request on ch.
func receive(t *testing.T, ch <-chan string, what string) string {
	t.Helper()
	select {
	case id := <-ch:
		return id
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		return ""
	}
}

// withLogs sends the rig's load balancer and pool logs to a buffer.
func (r *rig) withLogs() *testutil.LogBuffer {
	b := &testutil.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.srv.log, r.pool.log = log, log
	return b
}

// postAsync sends a ray-tracer request with ID id in the background.
func (r *rig) postAsync(id string) <-chan *http.Response {
	ch := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, r.lb.URL+rayPath, bytes.NewReader(rayBody()))
		req.Header.Set("X-Request-Id", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			r.t.Errorf("request %s: %v", id, err)
			resp = nil
		}
		ch <- resp
	}()
	return ch
}

// hedgeCounts reads vfx_lb_hedges_total by result.
func (r *rig) hedgeCounts(t *testing.T) map[string]float64 {
	t.Helper()
	m := map[string]float64{}
	for _, res := range []string{hedgeSent, hedgeWon, hedgeLost, hedgeRefused} {
		m[res] = testCounter(t, r.srv.metrics.hedges.WithLabelValues(res))
	}
	return m
}

// triesOf summarises a decision's attempts as "attempt worker kind result",
// with "overdue" and "of N" where they apply.
func triesOf(d Decision) []string {
	var out []string
	for _, a := range d.Tries {
		s := fmt.Sprintf("%d %s %s %s", a.Attempt, a.Worker, a.Kind, a.Result)
		if a.HedgeOf > 0 {
			s += fmt.Sprintf(" of %d", a.HedgeOf)
		}
		if a.Overdue {
			s += " overdue"
		}
		out = append(out, s)
	}
	return out
}

// laterOnTime is tries with the "overdue" mark dropped from every attempt
// but the first: on a busy machine a later attempt can outlive the 50 ms
// floor too, which is beside the point of the tests that use it.
func laterOnTime(tries []string) []string {
	for i := 1; i < len(tries); i++ {
		tries[i] = strings.TrimSuffix(tries[i], " overdue")
	}
	return tries
}

func hedgeConfig() Config {
	c := testConfig()
	c.AttemptTimeoutMin = 50 * time.Millisecond
	return c
}

// TestOverdueAttemptIsHedged: a worker that holds a request past its
// deadline is suspect, the request is sent to another worker whose answer
// wins, the first worker's request is cancelled, and the decision, the
// metrics and the logs say so. A passed health check brings it back.
func TestOverdueAttemptIsHedged(t *testing.T) {
	held := newHeldWorker(t, "held")
	good := okWorker(t, "good", 7)
	r := newRig(t, hedgeConfig(), nil, held.URL, good.URL)
	logs := r.withLogs()
	resp := r.postAsync("h1")
	receive(t, held.got, "request on the held worker")
	res := <-resp
	if body := readAll(t, res); res.StatusCode != 200 || body != "served by good" {
		t.Fatalf("got %d %q, want the hedge's answer from good", res.StatusCode, body)
	}
	if id := receive(t, held.cancelled, "cancellation on the held worker"); id != "h1" {
		t.Errorf("the held worker saw %s cancelled, want h1", id)
	}
	d := r.srv.decisions.recent()[0]
	want := []string{"1 w0 first lost overdue", "2 w1 hedge won of 1"}
	if got := laterOnTime(triesOf(d)); fmt.Sprint(got) != fmt.Sprint(want) || !d.Hedged || d.Hedges != 1 || d.Attempts != 2 || d.Worker != "w1" {
		t.Errorf("decision: tries %q hedged %v (%d) attempts %d worker %s; want %q, hedged once, 2 attempts, w1",
			got, d.Hedged, d.Hedges, d.Attempts, d.Worker, want)
	}
	if to := d.Tries[0].TimeoutMs; to != 50 {
		t.Errorf("first attempt's timeout %v ms, want the 50 ms floor (speed unknown)", to)
	}
	if got := r.hedgeCounts(t); got[hedgeSent] != 1 || got[hedgeWon] != 1 || got[hedgeLost] != 0 || got[hedgeRefused] != 0 {
		t.Errorf("hedges %v, want 1 sent and won", got)
	}
	if w := r.pool.Snapshot().Workers[0]; w.State != lifecycle.Unhealthy || !w.Suspect {
		t.Errorf("w0 after its attempt outlived its deadline: %s suspect=%v, want unhealthy and suspect", w.State, w.Suspect)
	}
	var sent []map[string]any
	for _, l := range logs.Lines(t) {
		if l["msg"] == "hedge sent" {
			sent = append(sent, l)
		}
	}
	if len(sent) != 1 || sent[0]["request_id"] != d.RequestID || sent[0]["worker"] != "w0" || sent[0]["attempt"] != 1.0 ||
		sent[0]["reason"] != "attempt deadline passed" {
		t.Errorf("hedge log lines %v, want one for h1 on w0, attempt 1, its deadline passed", sent)
	}
	st := get(t, r.lb.URL+"/api/v1/state")
	for _, s := range []string{`"hedged": true`, `"kind": "hedge"`, `"hedge_of": 1`, `"suspect": true`} {
		if !strings.Contains(st, s) {
			t.Errorf("/api/v1/state lacks %s", s)
		}
	}
	hc := NewHealthChecker(r.pool, nil)
	defer hc.CloseIdleConnections()
	hc.CheckAll(context.Background())
	if w := r.pool.Snapshot().Workers[0]; w.State != lifecycle.Ready || w.Suspect {
		t.Errorf("w0 after a passed health check: %s suspect=%v, want ready", w.State, w.Suspect)
	}
}

// TestFirstAnswerWins: when the overdue attempt answers before its hedge,
// its answer is relayed, the hedge is cancelled on its worker, and the
// worker that answered is back in service.
func TestFirstAnswerWins(t *testing.T) {
	slow := newHeldWorker(t, "slow")
	spare := newHeldWorker(t, "spare")
	r := newRig(t, hedgeConfig(), nil, slow.URL, spare.URL)
	resp := r.postAsync("f1")
	receive(t, slow.got, "request on the slow worker")
	receive(t, spare.got, "hedge on the spare worker")
	slow.answer()
	res := <-resp
	if body := readAll(t, res); res.StatusCode != 200 || body != "served by slow" {
		t.Fatalf("got %d %q, want the first attempt's answer", res.StatusCode, body)
	}
	receive(t, spare.cancelled, "cancellation of the hedge")
	d := r.srv.decisions.recent()[0]
	want := []string{"1 w0 first won overdue", "2 w1 hedge lost of 1"}
	if got := laterOnTime(triesOf(d)); fmt.Sprint(got) != fmt.Sprint(want) || d.Worker != "w0" {
		t.Errorf("decision: tries %q worker %s, want %q on w0", got, d.Worker, want)
	}
	if got := r.hedgeCounts(t); got[hedgeSent] != 1 || got[hedgeWon] != 0 || got[hedgeLost] != 1 {
		t.Errorf("hedges %v, want 1 sent and lost", got)
	}
	waitFor(t, 10*time.Second, "w0 back in service", func() bool { return r.state("w0") == lifecycle.Ready })
	waitFor(t, 10*time.Second, "no request in flight", func() bool {
		s := r.pool.Snapshot()
		return s.Workers[0].InFlight == 0 && s.Workers[1].InFlight == 0
	})
}

// TestFailedHedgeIsRetried: a hedge that fails outright while the overdue
// attempt still runs is retried on a third worker.
func TestFailedHedgeIsRetried(t *testing.T) {
	held := newHeldWorker(t, "held")
	good := okWorker(t, "good", 7)
	r := newRig(t, hedgeConfig(), nil, held.URL, refusedAddr(t), good.URL)
	resp := r.postAsync("x1")
	res := <-resp
	if body := readAll(t, res); res.StatusCode != 200 || body != "served by good" {
		t.Fatalf("got %d %q, want the retry's answer from good", res.StatusCode, body)
	}
	d := r.srv.decisions.recent()[0]
	want := []string{"1 w0 first lost overdue", "2 w1 hedge failed of 1", "3 w2 retry won"}
	if got := laterOnTime(triesOf(d)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tries %q, want %q", got, want)
	}
	if got := testCounter(t, r.srv.metrics.retries.WithLabelValues("connect")); got != 1 {
		t.Errorf("retries{reason=connect} = %v, want 1", got)
	}
	receive(t, held.cancelled, "cancellation on the held worker")
}

// TestUnresponsiveWorkerIsHedgedBeyondTheBudget: with a budget that
// refuses every hedge, a request held by a worker that stops answering its
// health checks is still sent elsewhere, whether the check times out
// after the attempt's deadline (the refused hedge goes then) or before
// it (the hedge goes at the deadline, unrefused); and from the timeout on
// no request is routed to that worker.
func TestUnresponsiveWorkerIsHedgedBeyondTheBudget(t *testing.T) {
	for _, tc := range []struct {
		name         string
		attemptMin   time.Duration
		checkFirst   bool // the health check times out before the deadline
		wantRefused  float64
		wantAttempts []string
	}{
		{"deadline first", 50 * time.Millisecond, false, 1, []string{"1 w0 first lost overdue", "2 w1 hedge won of 1"}},
		{"health check first", 2 * time.Second, true, 0, []string{"1 w0 first lost overdue", "2 w1 hedge won of 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frozen := newHeldWorker(t, "frozen")
			good := okWorker(t, "good", 7)
			cfg := testConfig()
			cfg.AttemptTimeoutMin = tc.attemptMin
			cfg.HedgeBudget = 0
			cfg.HealthTimeout = 100 * time.Millisecond
			r := newRig(t, cfg, nil, frozen.URL, good.URL)
			logs := r.withLogs()
			hc := NewHealthChecker(r.pool, nil)
			defer hc.CloseIdleConnections()
			resp := r.postAsync("u1")
			receive(t, frozen.got, "request on the worker")
			frozen.frozen.Store(true)
			if tc.checkFirst {
				hc.CheckAll(context.Background())
				if w := r.pool.Snapshot().Workers[0]; w.State != lifecycle.Unhealthy || !w.Suspect {
					t.Fatalf("w0 after its health check timed out: %s suspect=%v, want suspect", w.State, w.Suspect)
				}
				// No request goes to it any more.
				res := r.post()
				if body := readAll(t, res); res.StatusCode != 200 || body != "served by good" {
					t.Fatalf("request after the timeout: %d %q", res.StatusCode, body)
				}
				if d := r.srv.decisions.recent()[0]; d.Attempts != 1 || d.Worker != "w1" {
					t.Errorf("request after the timeout: %d attempts ending on %s, want 1 on w1", d.Attempts, d.Worker)
				}
			} else {
				waitFor(t, 10*time.Second, "a refused hedge", func() bool { return r.hedgeCounts(t)[hedgeRefused] == 1 })
				hc.CheckAll(context.Background())
			}
			res := <-resp
			if body := readAll(t, res); res.StatusCode != 200 || body != "served by good" {
				t.Fatalf("got %d %q, want the hedge's answer from good", res.StatusCode, body)
			}
			var d Decision
			for _, x := range r.srv.decisions.recent() {
				if x.ClientRequestID == "u1" {
					d = x
				}
			}
			if got := laterOnTime(triesOf(d)); fmt.Sprint(got) != fmt.Sprint(tc.wantAttempts) {
				t.Errorf("tries %q, want %q", got, tc.wantAttempts)
			}
			// The hedge itself can outlive the 50 ms floor on a busy
			// machine, and its own hedge is refused too: at least the
			// refusals the case makes, none where it makes none.
			if got := r.hedgeCounts(t); got[hedgeSent] != 1 || got[hedgeWon] != 1 ||
				(tc.wantRefused == 0) != (got[hedgeRefused] == 0) || got[hedgeRefused] < tc.wantRefused {
				t.Errorf("hedges %v, want 1 sent and won, %v refused", got, tc.wantRefused)
			}
			found := false
			for _, l := range logs.Lines(t) {
				if l["msg"] == "hedge sent" && l["request_id"] == d.RequestID && l["reason"] == "worker stopped answering its health checks" {
					found = true
				}
			}
			if !found {
				t.Error("no log line says the hedge went because the worker stopped answering")
			}
			receive(t, frozen.cancelled, "cancellation on the frozen worker")
		})
	}
}

// TestUniformlySlowPoolStaysWithinTheBudget: every worker is slower than
// predicted, so every attempt outlives its deadline; the hedges sent stay
// within the budget, and every request is answered.
func TestUniformlySlowPoolStaysWithinTheBudget(t *testing.T) {
	slow := func(name string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/health" {
				return
			}
			io.Copy(io.Discard, r.Body)
			t := time.NewTimer(40 * time.Millisecond)
			defer t.Stop()
			select {
			case <-t.C:
				w.Header().Set("X-Work-Units", "7")
				fmt.Fprint(w, "served by "+name)
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	cfg := testConfig()
	cfg.AttemptTimeoutMin = 5 * time.Millisecond
	cfg.HedgeBudget, cfg.HedgeBurst = 0.1, 2
	const n, conc = 40, 4
	r := newRig(t, cfg, nil, slow("a"), slow("b"), slow("c"))
	r.srv.Start(t.Context(), nil) // health checks bring suspect workers back
	var wg sync.WaitGroup
	var next atomic.Int32
	var failed atomic.Int32
	for range conc {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				res := <-r.postAsync(fmt.Sprintf("s%02d", i))
				if res == nil {
					failed.Add(1)
					continue
				}
				body := readAll(t, res)
				if res.StatusCode != 200 || !strings.HasPrefix(body, "served by ") {
					t.Errorf("request s%02d: %d %q", i, res.StatusCode, body)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}
	h := r.hedgeCounts(t)
	bound := cfg.HedgeBudget*n + float64(cfg.HedgeBurst)
	if h[hedgeSent] > bound {
		t.Errorf("%v hedges sent for %d requests, above the budget of %v", h[hedgeSent], n, bound)
	}
	if h[hedgeRefused] == 0 || h[hedgeWon]+h[hedgeLost] != h[hedgeSent] {
		t.Errorf("hedges %v: want some refused, and every one sent either won or lost", h)
	}
	overdue, hedged := 0, 0
	for _, d := range r.srv.decisions.recent() {
		for _, a := range d.Tries {
			if a.Overdue {
				overdue++
			}
		}
		if d.Hedged {
			hedged++
		}
	}
	if overdue < n {
		t.Errorf("%d attempts outlived their deadline, want every request's (the pool is slower than predicted)", overdue)
	}
	t.Logf("%d requests, %d overdue attempts, %d hedged requests, hedges %v", n, overdue, hedged, h)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, resp)
}
