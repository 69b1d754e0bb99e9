package worker

import (
	"context"
	"encoding/json"
	"image"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/metrics"
)

// seedDir is ../shared/seed-data from the repository root (the directory
// holding go.mod).
var seedDir = sync.OnceValues(func() (string, error) {
	dir, err := repoRoot()
	if err != nil {
		return "", err
	}
	seed := filepath.Join(dir, "..", "shared", "seed-data")
	if _, err := os.Stat(seed); err != nil {
		return "", err
	}
	return seed, nil
})

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// seedPath is the path of a seed-data file.
func seedPath(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := seedDir()
	if err != nil {
		tb.Fatalf("seed data (../shared/seed-data from the repository root): %v", err)
	}
	return filepath.Join(dir, rel)
}

// seedFile reads a seed-data file.
func seedFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(seedPath(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// seedBMP decodes a seed-data BMP.
func seedBMP(tb testing.TB, rel string) image.Image {
	tb.Helper()
	f, err := os.Open(seedPath(tb, rel))
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

// assertClose fails tb unless got and want have the same size and differ
// by at most 1 per channel on at most 0.1% of the pixels (the ray
// tracer's golden tolerance).
func assertClose(tb testing.TB, got, want image.Image) {
	tb.Helper()
	if got.Bounds().Size() != want.Bounds().Size() {
		tb.Fatalf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	gb, wb := got.Bounds(), want.Bounds()
	off := 0
	for y := 0; y < gb.Dy(); y++ {
		for x := 0; x < gb.Dx(); x++ {
			r1, g1, b1, _ := got.At(gb.Min.X+x, gb.Min.Y+y).RGBA()
			r2, g2, b2, _ := want.At(wb.Min.X+x, wb.Min.Y+y).RGBA()
			d := max(absDiff(r1>>8, r2>>8), absDiff(g1>>8, g2>>8), absDiff(b1>>8, b2>>8))
			if d > 1 {
				tb.Fatalf("pixel (%d,%d) differs by %d (got %d,%d,%d want %d,%d,%d)", x, y, d, r1>>8, g1>>8, b1>>8, r2>>8, g2>>8, b2>>8)
			}
			if d == 1 {
				off++
			}
		}
	}
	if total := gb.Dx() * gb.Dy(); off*1000 > total {
		tb.Fatalf("%d of %d pixels differ by 1: more than 0.1%%", off, total)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// fakeRecorder keeps what the worker records.
type fakeRecorder struct {
	mu      sync.Mutex
	reqs    []metrics.RequestRecord
	samples []metrics.WorkerSample
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

// byID returns the record of request id, waiting briefly for it: a handler
// records after its response is sent.
func (f *fakeRecorder) byID(tb testing.TB, id string) metrics.RequestRecord {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, r := range f.requests() {
			if r.ID == id {
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
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

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
