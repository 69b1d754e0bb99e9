package worker

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/instrument"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// bombBody is a ray-tracer request whose texture is a 4096×4096 PNG of
// 16-bit samples: a few hundred kilobytes of JSON whose pixels take
// hundreds of megabytes.
func bombBody(t *testing.T) string {
	return sceneBody(t, []byte(testutil.TexmapScene), testutil.TexmapBomb(4096, 4096))
}

// TestSlowClientsCostAConnectionNotASlot: four clients that send their
// headers and part of their bodies, then nothing, hold no in-flight slot:
// a worker with two slots serves normal requests meanwhile, and answers
// the slow ones 408 when their body timeout passes.
func TestSlowClientsCostAConnectionNotASlot(t *testing.T) {
	s, rec := newServer(t, func(c *Config) {
		c.MaxInflight = 2
		c.BodyTimeout = 3 * time.Second
	})
	base, _, _ := serveOnLoopback(t, s)
	addr := strings.TrimPrefix(base, "http://")
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	var slow []net.Conn
	for i := range 4 {
		slow = append(slow, sendRaw(t, addr, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nX-Request-Id: slow-%d\r\nContent-Length: %d\r\n\r\n%s",
			tinyQuery, i, len(body), body[:len(body)/2])))
	}
	waitFor(t, 5*time.Second, "the slow bodies held", func() bool { return s.mem.Used() > 0 })
	for range 20 {
		normalRequest(t, base)
	}
	if n := s.InFlight(); n != 0 {
		t.Errorf("%d requests in flight while only slow clients are left", n)
	}
	for i, c := range slow {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("slow client %d: no answer: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("slow client %d: %s, want 408", i, resp.Status)
		}
	}
	if r := rec.byID(t, "slow-0"); r.Status != http.StatusRequestTimeout {
		t.Errorf("slow client recorded with %d", r.Status)
	}
	waitFor(t, 5*time.Second, "the budget back to zero", func() bool { return s.mem.Used() == 0 })
}

// TestTexmapBombRefusedBeforeItIsDecoded: a texture that would need more
// memory than the worker has is refused with 413 from its header, before
// any pixel is decoded.
func TestTexmapBombRefusedBeforeItIsDecoded(t *testing.T) {
	s, ts, rec := newTestServer(t, func(c *Config) {
		c.MaxBodyBytes = 8 << 20
		c.MaxMemory = 128 << 20
	})
	body := bombBody(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, b := post(t, context.Background(), ts.URL+testutil.TexmapQuery, body, map[string]string{HeaderRequestID: "bomb"})
	runtime.ReadMemStats(&after)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "--max-memory") {
		t.Fatalf("%s: %s; want 413 naming --max-memory", resp.Status, b)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("refusing a %d-byte request allocated %d bytes", len(body), alloc)
	}
	if r := rec.byID(t, "bomb"); r.Status != 413 || r.Features.TexmapBytes == 0 {
		t.Errorf("record %d with features %+v", r.Status, r.Features)
	}
	if s.mem.Used() != 0 {
		t.Errorf("%d bytes reserved after the refusal", s.mem.Used())
	}
}

// TestMemoryBudgetSharedByRequests: a request whose pixels fit in the
// budget alone but not beside one that holds it gets 503 with Retry-After,
// before it is decoded, and is served once the first is done.
func TestMemoryBudgetSharedByRequests(t *testing.T) {
	body := sceneBody(t, []byte(testutil.TexmapScene), testutil.SeedFile(t, "raytracer/textures/test-texmap.bmp"))
	// What the request holds: its body, its header's decoding, its pixels.
	p, _, err := wire.Prepare(workload.Raytracer, strings.SplitN(testutil.TexmapQuery, "?", 2)[1], []byte(body), wire.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	req, _, err := p.DecodeHeader()
	if err != nil {
		t.Fatal(err)
	}
	const threads = 2
	need := int64(len(body)) + p.Memory() + runMemory(req, threads)
	var g *gate
	s, ts, rec := newTestServer(t, func(c *Config) {
		c.MaxBodyBytes = int64(len(body))
		c.MaxMemory = budget.For(need * 3 / 2) // room for one and a half
		c.Threads = threads
	}, func(s *Server) { g = newGate(s) })
	var once sync.Once
	release := func() { once.Do(func() { g.armed.Store(false); close(g.release) }) }
	t.Cleanup(release)
	first := make(chan int, 1)
	go func() {
		resp, _ := post(t, context.Background(), ts.URL+testutil.TexmapQuery, body, nil)
		first <- resp.StatusCode
	}()
	<-g.started
	if held, px := s.mem.Used(), int64(800*450*8); held < px {
		t.Fatalf("a request with an 800×450 texture holds %d bytes of the budget, want its pixels at least (%d)", held, px)
	}
	resp, b := post(t, context.Background(), ts.URL+testutil.TexmapQuery, body, map[string]string{HeaderRequestID: "second"})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "--max-memory") {
		t.Fatalf("second request: %s Retry-After %q: %s; want 503 with Retry-After naming --max-memory", resp.Status, resp.Header.Get("Retry-After"), b)
	}
	if r := rec.byID(t, "second"); r.Outcome != metrics.OutcomeRejected {
		t.Errorf("second request recorded as %s", r.Outcome)
	}
	release()
	if code := <-first; code != 200 {
		t.Fatalf("first request: %d", code)
	}
	if resp, b := post(t, context.Background(), ts.URL+testutil.TexmapQuery, body, nil); resp.StatusCode != 200 {
		t.Fatalf("once the first is done: %s: %s", resp.Status, b)
	}
	waitFor(t, 5*time.Second, "the budget back to zero", func() bool { return s.mem.Used() == 0 })
}

// TestMemoryReleasedOnEveryPath: after requests that succeed, fail on bad
// input, on their size, on the memory they need, on their body timeout, on
// a panic, find no slot, or lose their client while they send their body
// or while they run, the worker's budget is back to zero.
func TestMemoryReleasedOnEveryPath(t *testing.T) {
	running := make(chan struct{}, 8)
	s, _ := newServer(t, func(c *Config) {
		c.MaxInflight = 1
		c.MaxBodyBytes = 1 << 20
		c.MaxMemory = 128 << 20
		c.BodyTimeout = 2 * time.Second // the slow client below waits it out
	})
	s.run = func(ctx context.Context, req *wire.Request, threads int, lim wire.Limits) (image.Image, instrument.Cost, error) {
		switch req.Params.SCols {
		case 13:
			panic("boom")
		case 14: // runs until its client leaves
			running <- struct{}{}
			<-ctx.Done()
			return nil, instrument.Cost{}, ctx.Err()
		}
		return runWorkload(ctx, req, threads, lim)
	}
	base, _, _ := serveOnLoopback(t, s)
	addr := strings.TrimPrefix(base, "http://")
	scene := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	query := func(scols int) string {
		return fmt.Sprintf("/raytracer?scols=%d&srows=6&wcols=8&wrows=6&coff=0&roff=0", scols)
	}
	expect := func(name, path, body string, want int) {
		t.Helper()
		if resp, b := post(t, context.Background(), base+path, body, nil); resp.StatusCode != want {
			t.Errorf("%s: %s: %s; want %d", name, resp.Status, b, want)
		}
	}
	normalRequest(t, base)
	expect("bad request", query(8), `{"scene": 7}`, http.StatusBadRequest)
	expect("body too large", query(8), strings.Repeat(" ", 2<<20), http.StatusRequestEntityTooLarge)
	expect("texture too large for the budget", testutil.TexmapQuery, bombBody(t), http.StatusRequestEntityTooLarge)
	expect("panic", query(13), scene, http.StatusInternalServerError)
	// A client that stops sending its body, one that leaves in the middle
	// of it.
	c := sendRaw(t, addr, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", query(8), len(scene), scene[:10]))
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("body timeout: %v %v, want 408", resp, err)
	}
	sendRaw(t, addr, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", query(8), len(scene), scene[:10])).Close()
	// A request running, one that finds no slot, then its client leaves.
	cancel, done := postUntilCancelled(base+query(14), "leaves", scene)
	<-running
	expect("no slot", query(8), scene, http.StatusServiceUnavailable)
	cancel()
	<-done
	waitFor(t, 5*time.Second, "no request in flight", func() bool { return s.InFlight() == 0 })
	normalRequest(t, base)
	waitFor(t, 5*time.Second, "the budget back to zero", func() bool { return s.mem.Used() == 0 })
	if st := s.Status(time.Now()); st.MemoryReserved != 0 || st.MaxMemory != 128<<20 {
		t.Errorf("status: %d of %d reserved, want 0 of %d", st.MemoryReserved, st.MaxMemory, 128<<20)
	}
}

// TestRunMemoryCoversWhatRequestsAllocate: what a request's pixels, its
// workload and its answer allocate is within runMemory.
func TestRunMemoryCoversWhatRequestsAllocate(t *testing.T) {
	scene := testutil.SeedFile(t, "raytracer/scenes/test-texmap.txt")
	tex := testutil.SeedFile(t, "raytracer/textures/test-texmap.bmp")
	png := testutil.PNG(t, 200, 150)
	src, _, err := codec.Decode(png, codec.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	if err := codec.Encode(&jpg, src, "jpg"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		kind  workload.Kind
		query string
		body  string
	}{
		{"ray trace with a texture", workload.Raytracer, "scols=400&srows=300&wcols=100&wrows=75&coff=0&roff=0", sceneBody(t, scene, tex)},
		{"blur of a JPEG", workload.Blur, "", dataurl.String("jpg", jpg.Bytes())},
		{"enhance of a JPEG", workload.Enhance, "", dataurl.String("jpg", jpg.Bytes())},
		{"blur of a PNG", workload.Blur, "", dataurl.String("png", png)},
		{"enhance of a PNG", workload.Enhance, "", dataurl.String("png", png)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _, err := wire.DecodeHeader(tc.kind, tc.query, []byte(tc.body), wire.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			const threads = 2
			need := runMemory(req, threads)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if err := req.DecodePixels(); err != nil {
				t.Fatal(err)
			}
			img, _, err := runWorkload(context.Background(), req, threads, wire.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			native := req.Format
			if req.Kind == workload.Raytracer {
				native = "bmp"
			}
			if _, _, err := wire.EncodeResponse(img, native, ""); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if alloc := int64(after.TotalAlloc - before.TotalAlloc); alloc > need {
				t.Errorf("decoding, running and answering allocated %d bytes, above runMemory's %d", alloc, need)
			}
		})
	}
}
