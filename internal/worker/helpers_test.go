package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
)

// seedBMP decodes a seed-data BMP.
func seedBMP(tb testing.TB, rel string) image.Image {
	tb.Helper()
	f, err := os.Open(testutil.SeedPath(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := bmp.Decode(f)
	if err != nil {
		tb.Fatalf("%s: %v", rel, err)
	}
	return img
}

// assertSameImage fails tb unless got has exactly the pixels of want (see
// testutil.ImagesEqual).
func assertSameImage(tb testing.TB, got, want image.Image) {
	tb.Helper()
	if err := testutil.ImagesEqual(got, want); err != nil {
		tb.Fatal(err)
	}
}

// fakeRecorder keeps what the worker records, and reports drops as
// metrics.Recorder does: dropped requests, as queue full.
type fakeRecorder struct {
	mu      sync.Mutex
	reqs    []metrics.RequestRecord
	samples []metrics.WorkerSample
	dropped int64
}

func (f *fakeRecorder) Drops() []metrics.Drop {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []metrics.Drop{
		{Kind: metrics.KindRequest, Reason: metrics.DropQueueFull, Count: f.dropped},
		{Kind: metrics.KindWorkerSample, Reason: metrics.DropUnwritten},
	}
}

func (f *fakeRecorder) Request(r metrics.RequestRecord) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
}

func (f *fakeRecorder) WorkerSample(s metrics.WorkerSample) {
	f.mu.Lock()
	f.samples = append(f.samples, s)
	f.mu.Unlock()
}

func (f *fakeRecorder) requests() []metrics.RequestRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]metrics.RequestRecord(nil), f.reqs...)
}

func (f *fakeRecorder) workerSamples() []metrics.WorkerSample {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]metrics.WorkerSample(nil), f.samples...)
}

// byID returns the record of request id (the X-Request-Id of its answer:
// the client's id, or else the request id), waiting briefly for it: a
// handler records after its response is sent.
func (f *fakeRecorder) byID(tb testing.TB, id string) metrics.RequestRecord {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, r := range f.requests() {
			if r.ClientRequestID == id || r.ClientRequestID == "" && r.RequestID == id {
				return r
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no record of request %s", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testLogger logs to the test when -v, else nowhere.
func testLogger(tb testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newTestServer starts the real handler behind an httptest server.
// prep, if given, runs before the server starts (e.g. to replace s.run).
func newTestServer(tb testing.TB, mutate func(*Config), prep ...func(*Server)) (*Server, *httptest.Server, *fakeRecorder) {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.ID = "test-worker"
	cfg.Threads = 2
	if mutate != nil {
		mutate(&cfg)
	}
	rec := &fakeRecorder{}
	s, err := New(cfg, rec, testLogger(tb))
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range prep {
		p(s)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	return s, ts, rec
}

// post sends a POST and returns the response with its body read.
func post(tb testing.TB, ctx context.Context, url, body string, hdr map[string]string) (*http.Response, []byte) {
	tb.Helper()
	return send(tb, ctx, http.MethodPost, url, body, hdr)
}

// send sends a request with the given method, body and headers and
// returns the response with its body read.
func send(tb testing.TB, ctx context.Context, method, url, body string, hdr map[string]string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// postUntilCancelled starts a POST of body to url with request id id, for
// the caller to cancel: done receives the client's error, which names the
// status if the request finished instead.
func postUntilCancelled(url, id, body string) (cancel context.CancelFunc, done <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	req.Header.Set(HeaderRequestID, id)
	ch := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("request finished with %s before it was cancelled", resp.Status)
		}
		ch <- err
	}()
	return cancel, ch
}

// sendRaw opens a connection to addr, writes raw on it and allows reads
// 5 s; the connection is closed when the test ends.
func sendRaw(t *testing.T, addr, raw string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprint(c, raw)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

// assertDropsUnfinishedHeaders sends the start of a request whose headers
// never end to the worker at addr, and fails t unless the worker closes
// the connection within 5 s.
func assertDropsUnfinishedHeaders(t *testing.T, addr string) {
	t.Helper()
	c := sendRaw(t, addr, "POST /raytracer HTTP/1.1\r\nHost: x\r\n")
	_, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the worker kept a half-sent request open for 5s")
	}
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
