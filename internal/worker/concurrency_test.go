package worker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/instrument"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
)

// gate replaces a server's workload runner (before the server starts) with
// one that, once armed, signals when a request starts and waits for
// release (or the request's end) before running the real workload.
type gate struct {
	armed   atomic.Bool
	started chan string // request's workload kind, once per gated request
	release chan struct{}
}

func newGate(s *Server) *gate {
	g := &gate{started: make(chan string, 16), release: make(chan struct{})}
	g.armed.Store(true)
	s.run = func(ctx context.Context, req *wire.Request, threads int, lim wire.Limits) (image.Image, instrument.Cost, error) {
		if !g.armed.Load() {
			return runWorkload(ctx, req, threads, lim)
		}
		g.started <- string(req.Kind)
		select {
		case <-g.release:
		case <-ctx.Done():
			return nil, instrument.Cost{}, ctx.Err()
		}
		return runWorkload(ctx, req, threads, lim)
	}
	return g
}

const tinyQuery = "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0"

func TestMaxInflightRejectsWith503(t *testing.T) {
	var g *gate
	s, ts, rec := newTestServer(t, func(c *Config) { c.MaxInflight = 1 }, func(s *Server) { g = newGate(s) })
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	first := make(chan int, 1)
	go func() {
		resp, err := http.Post(ts.URL+tinyQuery, "application/json", strings.NewReader(body))
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-g.started
	resp, b := post(t, context.Background(), ts.URL+tinyQuery, body, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(b), "--max-inflight") {
		t.Fatalf("second request: %s Retry-After %q: %s; want 503, Retry-After 1 and a message naming the limit", resp.Status, resp.Header.Get("Retry-After"), b)
	}
	if r := rec.byID(t, resp.Header.Get(HeaderRequestID)); r.Outcome != metrics.OutcomeRejected || r.Status != 503 {
		t.Errorf("rejected request recorded as %s %d", r.Outcome, r.Status)
	}
	if st := s.Status(time.Now()); len(st.InFlight) != 1 || st.InFlight[0].Workload != "raytracer" {
		t.Errorf("status in flight %+v, want the first request", st.InFlight)
	}
	g.armed.Store(false)
	close(g.release)
	if code := <-first; code != 200 {
		t.Fatalf("first request: %d", code)
	}
	waitFor(t, 2*time.Second, "no request in flight", func() bool { return s.InFlight() == 0 })
	normalRequest(t, ts.URL)
}

func TestClientDisconnectCancelsRender(t *testing.T) {
	s, ts, rec := newTestServer(t, nil)
	// A render long enough to be cancelled in the middle: seconds of work.
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test04.txt"), nil)
	cancel, done := postUntilCancelled(ts.URL+"/raytracer?scols=2000&srows=1500&wcols=2000&wrows=1500&coff=0&roff=0&aa=true", "going-away", body)
	defer cancel()
	waitFor(t, 5*time.Second, "the render to start", func() bool {
		st := s.Status(time.Now())
		return len(st.InFlight) == 1 && st.InFlight[0].ElapsedMs > 50
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("client: %v", err)
	}
	cancelled := time.Now()
	waitFor(t, 3*time.Second, "the in-flight count to return to 0", func() bool { return s.InFlight() == 0 })
	t.Logf("render stopped %s after the client left", time.Since(cancelled).Round(time.Millisecond))
	r := rec.byID(t, "going-away")
	if r.Outcome != metrics.OutcomeCancelled || r.Status != statusClientClosed {
		t.Errorf("record outcome %s status %d, want cancelled %d", r.Outcome, r.Status, statusClientClosed)
	}
	if r.Features.WCols != 2000 || !r.Features.AA || r.Features.Shapes == 0 {
		t.Errorf("cancelled record lacks its features: %+v", r.Features)
	}
	normalRequest(t, ts.URL)
}

func TestPanicIsRecoveredWith500(t *testing.T) {
	s, ts, rec := newTestServer(t, nil, func(s *Server) {
		s.run = func(ctx context.Context, req *wire.Request, threads int, lim wire.Limits) (image.Image, instrument.Cost, error) {
			if req.Params.SCols == 13 {
				panic("boom")
			}
			return runWorkload(ctx, req, threads, lim)
		}
	})
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	resp, b := post(t, context.Background(), ts.URL+"/raytracer?scols=13&srows=6&wcols=8&wrows=6&coff=0&roff=0", body, nil)
	if resp.StatusCode != 500 || !strings.Contains(string(b), "internal error") {
		t.Fatalf("%s: %s; want 500 internal error", resp.Status, b)
	}
	if r := rec.byID(t, resp.Header.Get(HeaderRequestID)); r.Outcome != metrics.OutcomeServerError || r.Status != 500 || !strings.Contains(r.Error, "boom") {
		t.Errorf("record %+v, want server_error 500 with the panic", r)
	}
	if s.InFlight() != 0 {
		t.Errorf("in flight %d after a panic, want 0", s.InFlight())
	}
	normalRequest(t, ts.URL)
}

// TestConcurrentRequestsKeepTheirOwnFlags sends requests with different aa
// and sizes at the same time; each must equal the same render done alone.
func TestConcurrentRequestsKeepTheirOwnFlags(t *testing.T) {
	_, ts, rec := newTestServer(t, func(c *Config) { c.Threads, c.MaxInflight = 1, 8 })
	scene := testutil.SeedFile(t, "raytracer/scenes/test03.txt")
	parsed, err := raytracer.ParseScene(scene, nil, raytracer.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	body := sceneBody(t, scene, nil)
	type job struct {
		p     raytracer.Params
		units int64
	}
	var jobs []job
	for i := range 8 {
		w, h := 24+4*i, 18+3*i
		jobs = append(jobs, job{p: raytracer.Params{SCols: w, SRows: h, WCols: w, WRows: h, AA: i%2 == 0, Threads: 1}})
	}
	want := make([]image.Image, len(jobs))
	for i := range jobs {
		img, st, err := raytracer.Render(context.Background(), parsed, jobs[i].p)
		if err != nil {
			t.Fatal(err)
		}
		want[i], jobs[i].units = img, st.Units()
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for i, j := range jobs {
		wg.Go(func() {
			q := fmt.Sprintf("/raytracer?scols=%d&srows=%d&wcols=%d&wrows=%d&coff=0&roff=0&aa=%t", j.p.SCols, j.p.SRows, j.p.WCols, j.p.WRows, j.p.AA)
			resp, err := http.Post(ts.URL+q, "application/json", strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("job %d: %s: %s", i, resp.Status, b)
				return
			}
			got, _ := decodeDataURL(t, b, "bmp")
			if !sameImage(got, want[i]) {
				errs <- fmt.Errorf("job %d (aa %v): pixels differ from the same render alone", i, j.p.AA)
			}
			if r := rec.byID(t, resp.Header.Get(HeaderRequestID)); r.Units != j.units || r.Features.AA != j.p.AA {
				errs <- fmt.Errorf("job %d: recorded units %d aa %v, want %d %v", i, r.Units, r.Features.AA, j.units, j.p.AA)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds().Size() != b.Bounds().Size() {
		return false
	}
	ab, bb := a.Bounds(), b.Bounds()
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			if r1>>8 != r2>>8 || g1>>8 != g2>>8 || b1>>8 != b2>>8 {
				return false
			}
		}
	}
	return true
}

// serveOnLoopback runs s.Serve on 127.0.0.1 until the returned cancel is
// called; wait returns Serve's error.
func serveOnLoopback(t *testing.T, s *Server) (base string, cancel context.CancelFunc, wait func() error) {
	t.Helper()
	return serveOn(t, s, listenLoopback(t))
}

// listenLoopback listens on a free port of 127.0.0.1.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveOn runs s.Serve on ln as serveOnLoopback does.
func serveOn(t *testing.T, s *Server, ln net.Listener) (base string, cancel context.CancelFunc, wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-served:
		case <-time.After(15 * time.Second):
			t.Error("Serve did not return")
		}
	})
	var once sync.Once
	var serveErr error
	wait = func() error {
		once.Do(func() {
			select {
			case serveErr = <-served:
			case <-time.After(15 * time.Second):
				serveErr = errors.New("Serve did not return within 15s")
			}
			served <- serveErr // for the cleanup
		})
		return serveErr
	}
	return "http://" + ln.Addr().String(), cancel, wait
}

func newServer(t *testing.T, mutate func(*Config)) (*Server, *fakeRecorder) {
	t.Helper()
	rec := &fakeRecorder{}
	return newServerWith(t, rec, mutate), rec
}

// newServerWith returns a worker that records to rec and samples itself
// every 50 ms.
func newServerWith(t *testing.T, rec Recorder, mutate func(*Config)) *Server {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ID = "test-worker"
	cfg.Threads = 2
	cfg.SampleInterval = 50 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg, rec, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServeDrainsOnShutdown(t *testing.T) {
	s, rec := newServer(t, nil)
	g := newGate(s)
	g.armed.Store(false)
	base, stop, wait := serveOnLoopback(t, s)
	normalRequest(t, base)
	g.armed.Store(true)
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(base+tinyQuery, "application/json", strings.NewReader(body))
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			first <- nil
			return
		}
		first <- resp
	}()
	<-g.started
	stop()
	waitFor(t, 5*time.Second, "/health to say draining", func() bool {
		resp, err := http.Get(base + "/health")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 503 && strings.TrimSpace(string(b)) == `{"status":"draining"}`
	})
	resp, b := post(t, context.Background(), base+tinyQuery, body, nil)
	if resp.StatusCode != 503 || !strings.Contains(string(b), "draining") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("request while draining: %s %s", resp.Status, b)
	}
	g.armed.Store(false)
	close(g.release)
	r := <-first
	if r == nil {
		t.FailNow()
	}
	got, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("in-flight request: %s: %s", r.Status, got)
	}
	decodeDataURL(t, got, "bmp")
	if err := wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get(base + "/health"); err == nil {
		t.Error("still accepting connections after Serve returned")
	}
	samples := rec.workerSamples()
	if len(samples) < 2 || samples[0].Health != lifecycle.Ready || samples[len(samples)-1].Health != lifecycle.Draining || samples[len(samples)-1].InFlight != 0 {
		t.Errorf("samples %+v: want ready first, a last draining one with nothing in flight", samples)
	}
	assertSamplesInOrder(t, samples)
	for _, sm := range samples {
		if sm.WorkerID != "test-worker" || sm.Address == "" || sm.MemoryBytes == 0 || sm.CPUPercent < 0 || sm.CPUPercent > 100 {
			t.Errorf("sample %+v", sm)
		}
	}
}

func TestServeDrainTimeoutCancels(t *testing.T) {
	s, rec := newServer(t, func(c *Config) { c.DrainTimeout = 200 * time.Millisecond })
	g := newGate(s) // never released: only the drain timeout ends it
	base, stop, wait := serveOnLoopback(t, s)
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, base+tinyQuery, strings.NewReader(body))
		req.Header.Set(HeaderRequestID, "stuck")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-g.started
	stop()
	start := time.Now()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Serve returned %s after shutdown began", time.Since(start).Round(time.Millisecond))
	if r := rec.byID(t, "stuck"); r.Outcome != metrics.OutcomeCancelled {
		t.Errorf("request cut by the drain timeout recorded as %s, want cancelled", r.Outcome)
	}
}

func TestSlowClients(t *testing.T) {
	s, rec := newServer(t, func(c *Config) {
		c.ReadHeaderTimeout = 200 * time.Millisecond
		c.BodyTimeout = 400 * time.Millisecond
	})
	base, _, _ := serveOnLoopback(t, s)
	addr := strings.TrimPrefix(base, "http://")
	t.Run("headers never finish", func(t *testing.T) {
		assertDropsUnfinishedHeaders(t, addr)
		normalRequest(t, base)
	})
	t.Run("body never finishes", func(t *testing.T) {
		c := sendRaw(t, addr, "POST /blurimage HTTP/1.1\r\nHost: x\r\nX-Request-Id: slow-body\r\nContent-Length: 1000\r\n\r\ndata:image")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "--body-timeout") {
			t.Errorf("%s: %s; want 408 naming --body-timeout", resp.Status, b)
		}
		if r := rec.byID(t, "slow-body"); r.Status != 408 || r.Outcome != metrics.OutcomeClientError {
			t.Errorf("record %d %s", r.Status, r.Outcome)
		}
		normalRequest(t, base)
	})
}

func TestSampleMeasuresTheProcess(t *testing.T) {
	s, rec := newServer(t, nil)
	t0 := time.Now()
	s.Sample(t0)
	// Burn some CPU so the next sample sees it.
	x := 0
	for time.Since(t0) < 100*time.Millisecond {
		x++
	}
	sm := s.Sample(time.Now())
	if sm.CPUPercent <= 0 || sm.CPUPercent > 100 || sm.MemoryBytes < 1<<20 || sm.Health != lifecycle.Ready || sm.WorkerID != "test-worker" {
		t.Errorf("sample %+v (spun %d times): want CPU in (0,100], RSS of at least 1 MiB, ready", sm, x)
	}
	if n := len(rec.workerSamples()); n != 2 {
		t.Errorf("%d samples recorded, want 2", n)
	}
}

func TestWriteTimeoutCancelsTheWorkload(t *testing.T) {
	s, rec := newServer(t, func(c *Config) { c.WriteTimeout = 300 * time.Millisecond })
	newGate(s) // never released: only the deadline ends the request
	base, _, _ := serveOnLoopback(t, s)
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	resp, b := post(t, context.Background(), base+tinyQuery, body, map[string]string{HeaderRequestID: "too-slow"})
	if resp.StatusCode != 503 || !strings.Contains(string(b), "--write-timeout") {
		t.Fatalf("%s: %s; want 503 naming --write-timeout", resp.Status, b)
	}
	if r := rec.byID(t, "too-slow"); r.Outcome != metrics.OutcomeCancelled || r.Status != 503 {
		t.Errorf("record %s %d, want cancelled 503", r.Outcome, r.Status)
	}
	if s.InFlight() != 0 {
		t.Errorf("%d in flight after the deadline", s.InFlight())
	}
}
