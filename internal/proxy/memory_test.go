package proxy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
)

// Headers a scriptedWorker reads from each request.
const (
	headerAnswer = "X-Test-Answer" // ok (default), busy, die, stream
	headerSize   = "X-Test-Size"   // bytes of an ok or stream answer
)

// scriptedWorker answers each compute request as its X-Test-Answer header
// says: ok, 200 with X-Test-Size bytes; busy, 503; die, half of its answer
// then the connection cut; stream, half of its answer, then the rest once
// release is closed.
type scriptedWorker struct {
	*httptest.Server
	release chan struct{}
	served  atomic.Int32
}

func newScriptedWorker(t *testing.T) *scriptedWorker {
	s := &scriptedWorker{release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			return
		}
		io.Copy(io.Discard, r.Body)
		s.served.Add(1)
		size, _ := strconv.Atoi(r.Header.Get(headerSize))
		body := bytes.Repeat([]byte{'v'}, size)
		switch r.Header.Get(headerAnswer) {
		case "busy":
			w.Header().Set("Retry-After", "1")
			http.Error(w, "worker busy", http.StatusServiceUnavailable)
		case "die":
			w.Header().Set("Content-Length", strconv.Itoa(size))
			w.Write(body[:size/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		case "stream":
			w.Header().Set("Content-Length", strconv.Itoa(size))
			w.Write(body[:size/2])
			w.(http.Flusher).Flush()
			select {
			case <-s.release:
			case <-r.Context().Done():
				return
			}
			w.Write(body[size/2:])
		default:
			w.Header().Set("X-Work-Units", "5")
			w.Write(body)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// rawPost opens a connection to addr and writes a POST's head and the
// start of its body, and no more. A write the server cuts short (it
// refused the body) is no error: its answer tells.
func rawPost(t *testing.T, addr, path string, contentLength int, start []byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: lb\r\nContent-Length: %d\r\n\r\n", path, contentLength)
	c.Write(start)
	return c
}

// readResponse reads the response on c, within 10 s.
func readResponse(t *testing.T, c net.Conn) (*http.Response, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func lbAddr(r *rig) string { return strings.TrimPrefix(r.lb.URL, "http://") }

// TestBodyAboveMaxBodyRefusedUnread: a body whose Content-Length is above
// --max-body gets 413 at once, before any of it is sent.
func TestBodyAboveMaxBodyRefusedUnread(t *testing.T) {
	w := newScriptedWorker(t)
	cfg := testConfig()
	cfg.MaxBody = 1 << 20
	r := newRig(t, cfg, nil, w.URL)
	c := rawPost(t, lbAddr(r), "/blurimage", 100<<20, nil)
	resp, body := readResponse(t, c)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "1048576 bytes") {
		t.Errorf("got %d %q, want 413 naming the limit", resp.StatusCode, body)
	}
	if w.served.Load() != 0 {
		t.Error("the oversized request reached a worker")
	}
	if used := r.srv.mem.Used(); used != 0 {
		t.Errorf("%d bytes of the budget held after the refusal", used)
	}
}

// TestMemoryReleasedOnEveryPath sends requests that end in every way a
// request can end: served, read ahead and streamed, refused for their
// size, for the budget, as bad requests, cut by their client while they
// send their body or while a worker computes, failed by workers that are
// busy or die. Once they are all done the budget is back to zero.
func TestMemoryReleasedOnEveryPath(t *testing.T) {
	w := newScriptedWorker(t)
	cfg := testConfig()
	cfg.MaxBody = 256 << 10
	cfg.MaxBuffered = 2 << 20
	cfg.ResponseBuffer = 64 << 10
	cfg.MaxRetries = 1
	cfg.EjectAfter = 1000 // the worker stays ready whatever it answers
	r := newRig(t, cfg, nil, w.URL)
	post := func(ctx context.Context, answer string, size int, path string, body []byte) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.lb.URL+path, bytes.NewReader(body))
		req.Header.Set(headerAnswer, answer)
		req.Header.Set(headerSize, strconv.Itoa(size))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	check := func(name string, want int, got func() int) {
		wg.Go(func() {
			if code := got(); code != want {
				t.Errorf("%s: status %d, want %d", name, code, want)
			}
		})
	}
	ctx := context.Background()
	for range 4 {
		check("served", 200, func() int { return post(ctx, "ok", 1000, rayPath, rayBody()) })
		check("served, larger than the read-ahead", 200, func() int { return post(ctx, "ok", 300<<10, rayPath, rayBody()) })
		check("body too large", 413, func() int { return post(ctx, "ok", 10, rayPath, make([]byte, 300<<10)) })
		check("bad request", 400, func() int { return post(ctx, "ok", 10, rayPath, []byte(`{"scene": 1}`)) })
		check("workers busy", 503, func() int { return post(ctx, "busy", 10, rayPath, rayBody()) })
		check("workers die", 502, func() int { return post(ctx, "die", 10<<10, rayPath, rayBody()) })
	}
	// A client that stops in the middle of its body.
	for range 4 {
		c := rawPost(t, lbAddr(r), rayPath, 200<<10, make([]byte, 100<<10))
		c.Close()
	}
	// A client that leaves while its response streams.
	sctx, cancel := context.WithCancel(ctx)
	streamed := make(chan int)
	go func() { streamed <- post(sctx, "stream", 200<<10, rayPath, rayBody()) }()
	waitFor(t, 10*time.Second, "the streamed request at the worker", func() bool { return w.served.Load() >= 1 })
	// Bodies that hold the budget, then one more that does not fit.
	holders := make([]net.Conn, 0, 16)
	for range 16 {
		holders = append(holders, rawPost(t, lbAddr(r), rayPath, 250<<10, make([]byte, 200<<10)))
	}
	waitFor(t, 10*time.Second, "a body refused for the budget", func() bool {
		for _, d := range r.srv.decisions.recent() {
			if d.Status == 503 && strings.Contains(d.Error, "--max-buffered") {
				return true
			}
		}
		return false
	})
	for _, c := range holders {
		c.Close()
	}
	wg.Wait()
	cancel()
	<-streamed
	waitFor(t, 10*time.Second, "the budget back to zero", func() bool { return r.srv.mem.Used() == 0 })
	if st := r.srv.State(); st.Memory.Reserved != 0 || st.Memory.Budget != cfg.MaxBuffered {
		t.Errorf("state's memory %+v, want 0 of %d reserved", st.Memory, cfg.MaxBuffered)
	}
}

// TestResponseReadAheadWithinTheBudget: a response larger than what the
// budget has room for is read ahead as far as the budget allows and then
// streamed: its first half reaches the client while the worker still
// holds back its second, and the whole of it arrives.
func TestResponseReadAheadWithinTheBudget(t *testing.T) {
	w := newScriptedWorker(t)
	cfg := testConfig()
	cfg.MaxBody = 64 << 10
	cfg.MaxBuffered = 1 << 20
	cfg.ResponseBuffer = 16 << 20
	r := newRig(t, cfg, nil, w.URL)
	const size = 8 << 20
	req, _ := http.NewRequest(http.MethodPost, r.lb.URL+rayPath, bytes.NewReader(rayBody()))
	req.Header.Set(headerAnswer, "stream")
	req.Header.Set(headerSize, strconv.Itoa(size))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, size/2)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("reading the first half while the worker holds the second: %v", err)
	}
	if used := r.srv.mem.Used(); used > cfg.MaxBuffered {
		t.Errorf("%d bytes reserved, above the budget of %d", used, cfg.MaxBuffered)
	}
	close(w.release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(first)+len(rest) != size || bytes.Count(rest, []byte{'v'}) != len(rest) {
		t.Fatalf("response: %d + %d bytes (%v), want %d", len(first), len(rest), err, size)
	}
	waitFor(t, 10*time.Second, "the budget back to zero", func() bool { return r.srv.mem.Used() == 0 })
}

// TestSmallRequestsServedWhileLargeBodiesHoldTheBudget: slow clients that
// hold large bodies open fill the budget up to the eighth kept for small
// requests; a further large body is refused with 503 before it is read,
// and small requests are served meanwhile.
func TestSmallRequestsServedWhileLargeBodiesHoldTheBudget(t *testing.T) {
	w := newScriptedWorker(t)
	cfg := testConfig()
	cfg.MaxBody = 8 << 20
	cfg.MaxBuffered = 32 << 20 // large bodies fill 28 MiB at most; small requests hold up to 256 KiB
	r := newRig(t, cfg, nil, w.URL)
	// Each slow client has sent 6 MiB of 8 and holds an 8 MiB buffer:
	// three fit below the headroom.
	for range 3 {
		rawPost(t, lbAddr(r), "/blurimage", 8<<20, make([]byte, 6<<20))
	}
	waitFor(t, 20*time.Second, "three bodies held", func() bool { return r.srv.mem.Used() >= 24<<20 })
	c := rawPost(t, lbAddr(r), "/blurimage", 8<<20, make([]byte, 6<<20))
	resp, body := readResponse(t, c)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "--max-buffered") {
		t.Fatalf("a fourth large body: %d %q, want 503 + Retry-After naming --max-buffered", resp.StatusCode, body)
	}
	for i := range 10 {
		req, _ := http.NewRequest(http.MethodPost, r.lb.URL+rayPath, bytes.NewReader(rayBody()))
		req.Header.Set(headerSize, "100")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("small request %d while large bodies hold the budget: %d %s", i, resp.StatusCode, b)
		}
	}
}

// TestTexmapBombRoutedWithoutItsPixels: a ray trace whose texture is a
// small PNG declaring 4096×4096 16-bit pixels (within the limits) is
// routed by its header: the load balancer allocates a few megabytes for
// it, not the hundreds its pixels would take, and the worker gets it.
func TestTexmapBombRoutedWithoutItsPixels(t *testing.T) {
	w := newScriptedWorker(t)
	r := newRig(t, testConfig(), nil, w.URL)
	body := wire.RaytraceBody([]byte(testutil.TexmapScene), testutil.TexmapBomb(4096, 4096))
	query := strings.SplitN(testutil.TexmapQuery, "?", 2)[1]
	if req, _, err := wire.DecodeHeader("raytracer", query, body, wire.DefaultLimits()); err != nil || req.Texmap == nil {
		t.Fatalf("the bomb is not a valid request with a texture: %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.Post(r.lb.URL+testutil.TexmapQuery, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, resp)
	runtime.ReadMemStats(&after)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("routing a %d-byte request allocated %d bytes", len(body), alloc)
	}
}
