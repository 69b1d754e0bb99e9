package proxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

func TestForwardsAndLearns(t *testing.T) {
	w0 := okWorker(t, "alpha", 4242)
	r := newRig(t, testConfig(), nil, w0.URL)
	sp := &fakeSpeeds{}
	r.srv.speeds = sp
	req, _ := http.NewRequest(http.MethodPost, r.lb.URL+rayPath, bytes.NewReader(rayBody()))
	req.Header.Set("X-Request-Id", "req-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || body != "served by alpha" {
		t.Fatalf("got %d %q, want 200 from alpha", resp.StatusCode, body)
	}
	id := resp.Header.Get(wire.HeaderServerRequestID)
	if len(id) != 32 {
		t.Errorf("request id %q, want one of the load balancer's own (32 hex digits)", id)
	}
	for h, want := range map[string]string{
		"X-Request-Id": "req-1", "X-Seen-Request-Id": "req-1", "X-Seen-Predicted": "1000",
		"X-Seen-Server-Request-Id": id, "X-Seen-Attempt": "1",
		"X-Worker-Id": "alpha", "Access-Control-Allow-Origin": "*",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	if got := r.est.Observed(); len(got) != 1 || got[0] != 4242 {
		t.Errorf("estimator learnt %v, want [4242]", got)
	}
	if got := sp.obs["w0"]; len(got) != 1 || got[0] != 424200 {
		t.Errorf("speed learnt %v, want [424200] units/s (4242 units in 10 ms)", got)
	}
	d := r.srv.decisions.recent()
	if len(d) != 1 || d[0].RequestID != id || d[0].ClientRequestID != "req-1" || d[0].Worker != "w0" || d[0].Outcome != "ok" ||
		d[0].ActualUnits != 4242 || d[0].PredictedUnits != 1000 || d[0].Reason == "" {
		t.Errorf("decision log = %+v", d)
	}
	if n := r.pool.Snapshot().Workers[0].InFlight; n != 0 {
		t.Errorf("in flight after the response = %d, want 0", n)
	}
}

func TestRetriesOnAnotherWorker(t *testing.T) {
	resetter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close() // dies before answering
		}
	}))
	t.Cleanup(resetter.Close)
	// dies half-way through its answer, after the status line and headers.
	truncated := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err == nil {
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\ndata:image/bmp;base64,Qk")
			buf.Flush()
			conn.Close()
		}
	}))
	t.Cleanup(truncated.Close)
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "worker at its limit of 2 requests in flight", http.StatusServiceUnavailable)
	}))
	t.Cleanup(busy.Close)
	for _, tc := range []struct {
		name   string
		first  string
		reason string
	}{
		{"connection refused", refusedAddr(t), "connect"},
		{"connection reset before the response", resetter.URL, "connect"},
		{"connection lost in the middle of the response", truncated.URL, "response"},
		{"503 busy", busy.URL, "busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := okWorker(t, "good", 7)
			r := newRig(t, testConfig(), nil, tc.first, good.URL)
			rec := &fakeRecorder{}
			r.srv.recorder = rec
			resp := r.post()
			if body := readAll(t, resp); resp.StatusCode != 200 || body != "served by good" {
				t.Fatalf("got %d %q, want 200 from the second worker", resp.StatusCode, body)
			}
			d := r.srv.decisions.recent()[0]
			if d.Attempts != 2 || d.Worker != "w1" {
				t.Errorf("attempts %d on %s, want 2 ending on w1", d.Attempts, d.Worker)
			}
			// The second worker ran attempt 2 of the same request, and the
			// final record says what the client got.
			id := resp.Header.Get(wire.HeaderServerRequestID)
			if got := resp.Header.Get("X-Seen-Attempt"); got != "2" || resp.Header.Get("X-Seen-Server-Request-Id") != id {
				t.Errorf("the second worker saw attempt %q of %q, want 2 of %q", got, resp.Header.Get("X-Seen-Server-Request-Id"), id)
			}
			recs := rec.all()
			if len(recs) != 1 {
				t.Fatalf("%d records, want the one final record: %+v", len(recs), recs)
			}
			if f := recs[0]; f.Role != metrics.RoleFinal || f.RequestID != id || f.Attempts != 2 || f.WorkerID != "w1" ||
				f.Outcome != metrics.OutcomeOK || f.Status != 200 || f.Units != 7 || f.PredictedUnits != 1000 || f.Wall <= 0 {
				t.Errorf("final record %+v, want ok 200 after 2 attempts on w1, 7 units", f)
			}
			if got := testCounter(t, r.srv.metrics.retries.WithLabelValues(tc.reason)); got != 1 {
				t.Errorf("retries{reason=%s} = %v, want 1", tc.reason, got)
			}
		})
	}
}

func TestAllAttemptsFail(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRetries = 2
	r := newRig(t, cfg, nil, refusedAddr(t), refusedAddr(t))
	resp := r.post()
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
	if !strings.Contains(body, "no worker could serve the request in 3 attempts") || !strings.Contains(body, "refused") {
		t.Errorf("message %q does not say what happened", body)
	}
}

func TestAllWorkersBusyGives503(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	t.Cleanup(busy.Close)
	r := newRig(t, testConfig(), nil, busy.URL)
	resp := r.post()
	body := readAll(t, resp)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "4 attempts") {
		t.Fatalf("got %d (Retry-After %q) %q, want 503 with Retry-After after 4 attempts", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestPassiveEjectionAndReturn(t *testing.T) {
	var healthy atomic.Bool
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && healthy.Load() {
			return
		}
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
	}))
	t.Cleanup(flaky.Close)
	good := okWorker(t, "good", 7)
	cfg := testConfig()
	r := newRig(t, cfg, nil, flaky.URL, good.URL)
	for i := range cfg.EjectAfter {
		if r.state("w0") != lifecycle.Ready {
			t.Fatalf("w0 ejected after %d failures, want %d", i, cfg.EjectAfter)
		}
		resp := r.post()
		if readAll(t, resp); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	if got := r.state("w0"); got != lifecycle.Unhealthy {
		t.Fatalf("w0 is %s after %d failures, want unhealthy", got, cfg.EjectAfter)
	}
	resp := r.post()
	readAll(t, resp)
	if d := r.srv.decisions.recent()[0]; d.Attempts != 1 || d.Worker != "w1" {
		t.Errorf("with w0 ejected the request took %d attempts ending on %s, want 1 on w1", d.Attempts, d.Worker)
	}
	hc := NewHealthChecker(r.pool, nil)
	defer hc.CloseIdleConnections()
	hc.CheckAll(context.Background())
	if got := r.state("w0"); got != lifecycle.Unhealthy {
		t.Fatalf("a failed check made w0 %s", got)
	}
	healthy.Store(true)
	for i := range cfg.HealthyThreshold {
		if got := r.state("w0"); got != lifecycle.Unhealthy {
			t.Fatalf("w0 is %s after %d passed checks, want unhealthy until %d", got, i, cfg.HealthyThreshold)
		}
		hc.CheckAll(context.Background())
	}
	if got := r.state("w0"); got != lifecycle.Ready {
		t.Fatalf("w0 is %s after %d passed checks, want ready", got, cfg.HealthyThreshold)
	}
}

func TestBodyLimit(t *testing.T) {
	var hits atomic.Int32
	w0 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(w0.Close)
	cfg := testConfig()
	cfg.MaxBody = 1024
	r := newRig(t, cfg, nil, w0.URL)
	resp, err := http.Post(r.lb.URL+"/blurimage", "text/plain", bytes.NewReader(make([]byte, 2048)))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "1024 bytes") {
		t.Errorf("got %d %q, want 413 naming the limit", resp.StatusCode, body)
	}
	if hits.Load() != 0 {
		t.Error("the oversized request reached a worker")
	}
}

func TestBadRequestsAnsweredLikeAWorker(t *testing.T) {
	var hits atomic.Int32
	w0 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(w0.Close)
	r := newRig(t, testConfig(), nil, w0.URL)
	for _, tc := range []struct {
		name, path string
		body       []byte
	}{
		{"missing parameter", "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0", rayBody()},
		{"non-integer parameter", "/raytracer?scols=x&srows=6&wcols=8&wrows=6&coff=0&roff=0", rayBody()},
		{"malformed JSON", rayPath, []byte(`{"scene": `)},
		{"missing scene", rayPath, []byte(`{"texmap": []}`)},
		{"scene error", rayPath, []byte(`{"scene": "0 0 0\n0 0 -1\n0 1 0\n30\n1\nbogus"}`)},
		{"not a data URL", "/blurimage", []byte("hello")},
		{"unsupported format", "/enhanceimage", []byte("data:image/tiff;base64,AAAA")},
		{"not an image", "/blurimage", []byte("data:image/png;base64,aGVsbG8gd29ybGQ=")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, _ := workload.ParseKind(strings.SplitN(tc.path, "?", 2)[0])
			query := ""
			if _, q, ok := strings.Cut(tc.path, "?"); ok {
				query = q
			}
			_, _, werr := wire.Decode(kind, query, tc.body, wire.DefaultLimits())
			if werr == nil {
				t.Fatal("the worker accepts this request: not a bad request")
			}
			resp, err := http.Post(r.lb.URL+tc.path, "application/json", bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != wire.StatusOf(werr) || strings.TrimSpace(body) != werr.Error() {
				t.Errorf("load balancer: %d %q; worker: %d %q", resp.StatusCode, body, wire.StatusOf(werr), werr.Error())
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("%d bad requests reached the worker", hits.Load())
	}
	// And the load balancer still serves a good one.
}

// TestRefusedRequestRecordsItsFeatures: the record of a request the load
// balancer refuses carries the features read before the error (the
// query's sizes, the image's dimensions), as a worker's record does.
func TestRefusedRequestRecordsItsFeatures(t *testing.T) {
	var hits atomic.Int32
	w0 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(w0.Close)
	r := newRig(t, testConfig(), nil, w0.URL)
	rec := &fakeRecorder{}
	r.srv.recorder = rec
	scene := []byte("not a scene")
	bomb := testutil.BombPNG(200000, 100000)
	for _, tc := range []struct {
		name, path string
		body       []byte
		status     int
		want       workload.Features
	}{
		{"bad scene", "/raytracer?scols=400&srows=300&wcols=200&wrows=150&coff=10&roff=-5&aa=true", wire.RaytraceBody(scene, nil), 400,
			workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 200, WRows: 150, COff: 10, ROff: -5, AA: true,
				SceneBytes: len(scene), InputBytes: len(scene), InputHash: wire.InputHash(scene)}},
		{"window larger than the scene", "/raytracer?scols=400&srows=300&wcols=800&wrows=600&coff=0&roff=0", rayBody(), 400,
			workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 800, WRows: 600}},
		{"decompression bomb", "/enhanceimage", []byte(dataurl.String("png", bomb)), 413,
			workload.Features{Kind: workload.Enhance, Width: 200000, Height: 100000, Format: "png", InputBytes: len(bomb), InputHash: wire.InputHash(bomb)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "refused-" + strings.ReplaceAll(tc.name, " ", "-")
			req, _ := http.NewRequest(http.MethodPost, r.lb.URL+tc.path, bytes.NewReader(tc.body))
			req.Header.Set("X-Request-Id", id)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := strings.TrimSpace(readAll(t, resp))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.status)
			}
			var got metrics.RequestRecord
			waitFor(t, 5*time.Second, "the record of "+id, func() (ok bool) { got, ok = rec.byID(id); return ok })
			if got.Features != tc.want {
				t.Errorf("recorded features\n got %+v\nwant %+v", got.Features, tc.want)
			}
			if got.Status != tc.status || got.Outcome != metrics.OutcomeClientError || got.Error != body {
				t.Errorf("record status %d outcome %s error %q; want %d client_error %q", got.Status, got.Outcome, got.Error, tc.status, body)
			}
		})
	}
	if hits.Load() != 0 {
		t.Errorf("%d refused requests reached the worker", hits.Load())
	}
}

func TestEndpointsOfTheLoadBalancer(t *testing.T) {
	w0 := okWorker(t, "alpha", 1)
	r := newRig(t, testConfig(), nil, w0.URL)
	for _, tc := range []struct {
		name, method, path string
		status             int
		contains           string
	}{
		{"index", "GET", "/", 200, "/api/v1/state"},
		{"unknown path", "GET", "/nope", 404, `unknown path "/nope"`},
		{"options", "OPTIONS", "/raytracer", 204, ""},
		{"wrong method", "GET", "/blurimage", 405, "use POST"},
		{"health", "GET", "/health", 200, `"status": "ready"`},
		{"health counts workers by state", "GET", "/health", 200, `"unhealthy": 0`},
		{"state", "GET", "/api/v1/state", 200, `"policy": "cost"`},
		{"state words", "GET", "/api/v1/state", 200, `"state": "ready"`},
		{"metrics", "GET", "/metrics", 200, "vfx_lb_workers{state=\"ready\"} 1"},
		{"metrics of every state", "GET", "/metrics", 200, "vfx_lb_workers{state=\"unhealthy\"} 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, r.lb.URL+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.contains) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, body, tc.status, tc.contains)
			}
			if (resp.Header.Get("Access-Control-Allow-Origin") == "*") != (tc.path == "/raytracer" || tc.path == "/blurimage") {
				t.Errorf("Access-Control-Allow-Origin %q on %s", resp.Header.Get("Access-Control-Allow-Origin"), tc.path)
			}
			if tc.method == "OPTIONS" && resp.Header.Get("Access-Control-Allow-Methods") != "GET, OPTIONS" {
				t.Errorf("OPTIONS Allow-Methods = %q", resp.Header.Get("Access-Control-Allow-Methods"))
			}
			if tc.status == 405 && resp.Header.Get("Allow") != "POST, OPTIONS" {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })
	cfg := testConfig()
	cfg.RequestTimeout = 150 * time.Millisecond
	r := newRig(t, cfg, nil, slow.URL)
	resp := r.post()
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body, "deadline of 150ms") {
		t.Errorf("got %d %q, want 504 naming the deadline", resp.StatusCode, body)
	}
	waitFor(t, 10*time.Second, "in-flight back to 0", func() bool { return r.pool.Snapshot().Workers[0].InFlight == 0 })
	if st := r.state("w0"); st != lifecycle.Ready {
		t.Errorf("a slow worker was marked %s", st)
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	started := make(chan struct{}, 1)
	cancelled := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // as a worker does; the server notices a closed connection only then
		started <- struct{}{}
		<-r.Context().Done()
		cancelled <- struct{}{}
	}))
	t.Cleanup(slow.Close)
	r := newRig(t, testConfig(), nil, slow.URL)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.lb.URL+rayPath, bytes.NewReader(rayBody()))
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the cancelled request succeeded")
	}
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("the worker's request was not cancelled when the client went away")
	}
	waitFor(t, 10*time.Second, "in-flight back to 0", func() bool { return r.pool.Snapshot().Workers[0].InFlight == 0 })
	waitFor(t, 10*time.Second, "a cancelled decision", func() bool {
		d := r.srv.decisions.recent()
		return len(d) == 1 && d[0].Outcome == "cancelled"
	})
	if st := r.state("w0"); st != lifecycle.Ready {
		t.Errorf("a client going away marked the worker %s", st)
	}
}

func testCounter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
