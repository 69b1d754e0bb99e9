package proxy

import (
	"bytes"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// routeCase is one request of the routing benchmarks.
type routeCase struct {
	name string
	kind workload.Kind
	path string
	body []byte
}

// routeCases are the requests whose routing is benchmarked: a tiny ray
// trace (test01 at 1x1, the cheapest compute request), a ray trace with a
// texture sent as an array of byte values, and blurs and enhances of seed
// images, the largest a 657 KiB body (land3_640x480.bmp as a JPEG of
// quality 98, the body bench/lb.sh sends).
func routeCases(b *testing.B) []routeCase {
	b.Helper()
	tiny := testutil.SeedFile(b, "misc/raytracer_payload_test01.json")
	tex := wire.RaytraceBody(testutil.SeedFile(b, "raytracer/scenes/test-texmap.txt"),
		testutil.SeedFile(b, "raytracer/textures/test-texmap.bmp"))
	airplane, err := wire.ImageBody("jpg", testutil.SeedFile(b, "imageproc/inputs/airplane.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	return []routeCase{
		{"raytrace-tiny", workload.Raytracer, "/raytracer?scols=1&srows=1&wcols=1&wrows=1&coff=0&roff=0", tiny},
		{"raytrace-texmap", workload.Raytracer, "/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0", tex},
		{"blur-airplane-22KB", workload.Blur, "/blurimage", airplane},
		{"enhance-airplane-22KB", workload.Enhance, "/enhanceimage", airplane},
		{"blur-657KiB", workload.Blur, "/blurimage", largeBlurBody(b)},
	}
}

// largeBlurBody is land3_640x480.bmp re-encoded as a JPEG of quality 98,
// as a data URL: 657 KiB.
func largeBlurBody(b *testing.B) []byte {
	b.Helper()
	img, err := bmp.Decode(bytes.NewReader(testutil.SeedFile(b, "webserver-sample-bmps/land3_640x480.bmp")))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 98}); err != nil {
		b.Fatal(err)
	}
	body, err := wire.ImageBody("jpg", buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// stubTransport answers every forwarded request at once, from memory,
// after reading its body, as a worker would: no network, so that the
// benchmarks measure the load balancer's own work.
type stubTransport struct{ answer []byte }

func (t stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	h := http.Header{}
	h.Set("Content-Type", "text/plain")
	h.Set(wire.HeaderWorkUnits, "120")
	h.Set(wire.HeaderCPUMs, "0.05")
	h.Set(wire.HeaderWallMs, "0.05")
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(t.answer)), ContentLength: int64(len(t.answer)), Request: r,
	}, nil
}

// benchServer is a load balancer with the cost policy, the real
// estimator and one healthy worker behind stubTransport.
func benchServer(b *testing.B) *Server {
	b.Helper()
	cfg := Default()
	pol, err := balancer.New("cost")
	if err != nil {
		b.Fatal(err)
	}
	speeds := estimator.NewSpeeds(estimator.SpeedOptions{})
	pool := NewPool(PoolOptions{Config: cfg, Policy: pol, Speeds: speeds})
	pool.Add(provider.Instance{ID: "w0", Address: "http://w0.invalid"})
	for range cfg.HealthyThreshold {
		pool.healthResult("w0", nil, nil)
	}
	srv, err := New(Options{
		Config: cfg, Pool: pool, Estimator: estimator.New(estimator.Options{}), Speeds: speeds,
		Transport: stubTransport{answer: []byte("data:image/bmp;base64,Qk06AAAAAAAAADYAAAAoAAAAAQAAAAEAAAABABgAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAgICAAA==")},
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkRouteDecision is the load balancer's routing decision for one
// request, per workload: parse and check the request (wire.Prepare and
// DecodeHeader within the memory budget), predict its cost and pick a
// worker with the cost policy (acquire, then release).
func BenchmarkRouteDecision(b *testing.B) {
	srv := benchServer(b)
	ctx := b.Context()
	for _, tc := range routeCases(b) {
		b.Run(tc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodPost, tc.path, nil)
			w := httptest.NewRecorder()
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				x := &exchange{kind: tc.kind}
				hold := srv.mem.Hold()
				if _, err := srv.decodeHeader(w, r, x, tc.kind, tc.body, hold); err != nil {
					b.Fatal(err)
				}
				cost := srv.est.Estimate(x.features)
				l, err := srv.pool.acquire(ctx, request{kind: tc.kind, units: cost.Units}, nil, true)
				if err != nil {
					b.Fatal(err)
				}
				srv.pool.release(l, resultOK)
				hold.Release()
			}
		})
	}
}

// BenchmarkRouteHandler is one request through the load balancer's whole
// handler, per workload: the routing decision, the body read from the
// client and forwarded, the answer relayed, the metrics and the decision
// log, with a worker that answers from memory (no network).
func BenchmarkRouteHandler(b *testing.B) {
	srv := benchServer(b)
	h := srv.Handler()
	for _, tc := range routeCases(b) {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, tc.path, bytes.NewReader(tc.body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, strings.TrimSpace(w.Body.String()))
				}
			}
		})
	}
}
