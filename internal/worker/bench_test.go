package worker

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/imageproc"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/testutil"
)

// BenchmarkHTTPOverhead measures what serving the smallest requests over
// HTTP adds to the workload itself. For each workload it times three kinds
// of call, b.N of each, interleaved:
//
//   - direct: the library calls a program would make (ray tracer: parse the
//     scene, render, encode the BMP; blur: decode the PNG, blur, encode PNG);
//   - handler: the same request through the worker's handler in process
//     (query and body decoding, admission, accounting, data-URL encoding,
//     the record), without a network;
//   - loopback: the same through a real HTTP connection on 127.0.0.1
//     (keep-alive), client included.
//
// and reports µs per request of each, and the µs the handler and the whole
// HTTP round trip add to the direct call.
func BenchmarkHTTPOverhead(b *testing.B) {
	cfg := DefaultConfig()
	cfg.ID = "bench"
	cfg.Threads = 1
	s, err := New(cfg, nopRecorder{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}

	scene := testutil.SeedFile(b, "raytracer/scenes/test01.txt")
	img := testPNG(b, 16, 16)
	for _, bc := range []struct {
		name   string
		target string
		body   string
		direct func() error
	}{
		{"raytrace-test01-8x6", "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0", sceneBody(b, scene, nil), func() error {
			sc, err := raytracer.ParseScene(scene, nil, raytracer.DefaultLimits())
			if err != nil {
				return err
			}
			out, _, err := raytracer.Render(context.Background(), sc, raytracer.Params{SCols: 8, SRows: 6, WCols: 8, WRows: 6, Threads: 1})
			if err != nil {
				return err
			}
			return codec.EncodeBMP(io.Discard, out)
		}},
		{"blur-png-16x16", "/blurimage", dataURL("png", img), func() error {
			in, _, err := codec.Decode(img, codec.DefaultLimits())
			if err != nil {
				return err
			}
			out, _, err := imageproc.Blur(context.Background(), in, imageproc.Options{Threads: 1})
			if err != nil {
				return err
			}
			return codec.Encode(io.Discard, out, "png")
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			handlerCall := func() error {
				req := httptest.NewRequest(http.MethodPost, bc.target, strings.NewReader(bc.body))
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d: %s", w.Code, w.Body)
				}
				return nil
			}
			loopbackCall := func() error {
				resp, err := hc.Post(ts.URL+bc.target, "text/plain", bytes.NewReader([]byte(bc.body)))
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s", resp.Status)
				}
				return err
			}
			// The three kinds of call alternate, so that the machine's
			// background load and garbage collection weigh on each alike.
			var direct, handler, loop time.Duration
			timed := func(total *time.Duration, fn func() error) {
				start := time.Now()
				if err := fn(); err != nil {
					b.Fatal(err)
				}
				*total += time.Since(start)
			}
			b.ResetTimer()
			for range b.N {
				timed(&direct, bc.direct)
				timed(&handler, handlerCall)
				timed(&loop, loopbackCall)
			}
			us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
			b.ReportMetric(us(direct), "direct-µs/req")
			b.ReportMetric(us(handler), "handler-µs/req")
			b.ReportMetric(us(loop), "loopback-µs/req")
			b.ReportMetric(us(handler-direct), "handler-added-µs/req")
			b.ReportMetric(us(loop-direct), "loopback-added-µs/req")
		})
	}
}
