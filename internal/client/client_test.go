package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/worker"
)

// newWorker serves the real worker handler.
func newWorker(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := worker.DefaultConfig()
	cfg.ID = "w-test"
	cfg.Threads = 2
	s, err := worker.New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

func scene01(t *testing.T) []byte {
	t.Helper()
	return testutil.SeedFile(t, "raytracer/scenes/test01.txt")
}

func smallPNG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	for x := 0; x < w; x++ {
		img.Set(x, 0, color.RGBA{255, 0, 0, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRaytrace(t *testing.T) {
	ts := newWorker(t)
	c := New(ts.URL+"/", nil)
	c.Header.Set("X-Request-Id", "client-test-1")
	res, err := c.Raytrace(context.Background(), scene01(t), nil, RaytraceParams{SCols: 16, SRows: 12, WCols: 8, WRows: 6, COff: 4, ROff: 0, AA: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "bmp" || !bytes.HasPrefix(res.Image, []byte("BM")) {
		t.Fatalf("format %q, image starts %q; want a BMP", res.Format, res.Image[:min(2, len(res.Image))])
	}
	if res.RequestID != "client-test-1" || res.WorkerID != "w-test" || res.Units <= 0 || res.CPU <= 0 || res.Wall <= 0 {
		t.Errorf("result metadata %+v", res)
	}
}

func TestImages(t *testing.T) {
	ts := newWorker(t)
	c := New(ts.URL, nil)
	in := smallPNG(t, 12, 9)
	for _, tc := range []struct {
		name string
		do   func(context.Context, string, []byte) (*Result, error)
		gray bool
	}{
		{"blur", c.Blur, false},
		{"enhance", c.Enhance, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.do(context.Background(), "PNG", in)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(res.Image))
			if err != nil {
				t.Fatal(err)
			}
			if _, gray := img.(*image.Gray); gray != tc.gray || img.Bounds().Dx() != 12 || res.Format != "png" {
				t.Errorf("%T %v format %q", img, img.Bounds(), res.Format)
			}
		})
	}
}

func TestErrorCarriesStatusAndMessage(t *testing.T) {
	ts := newWorker(t)
	c := New(ts.URL, nil)
	bad := bytes.Replace(scene01(t), []byte("sphere"), []byte("sphre"), 1)
	_, err := c.Raytrace(context.Background(), bad, nil, RaytraceParams{SCols: 8, SRows: 6, WCols: 8, WRows: 6})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *client.Error", err, err)
	}
	if e.StatusCode != 400 || e.Status != "400 Bad Request" || !strings.Contains(e.Message, `"sphre"`) || e.RequestID == "" || e.WorkerID != "w-test" {
		t.Errorf("error %+v", e)
	}
	if want := "server said 400 Bad Request: " + e.Message; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}

	_, err = c.Blur(context.Background(), "tiff", []byte("x"))
	if !errors.As(err, &e) || e.StatusCode != 415 {
		t.Errorf("tiff: %v, want a 415 *Error", err)
	}
	_, err = c.Blur(context.Background(), "png;x", []byte("x"))
	if err == nil || errors.As(err, &e) {
		t.Errorf("format with ';': %v, want a local error", err)
	}
}

func TestRetryAfterAndOriginalDataURL(t *testing.T) {
	img := smallPNG(t, 3, 2)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/blurimage": // the original Java server: a data URL, no extra headers
			b, _ := io.ReadAll(r.Body)
			if !strings.HasPrefix(string(b), "data:image/png;base64,") {
				http.Error(w, "bad body", 400)
				return
			}
			io.WriteString(w, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(img))
		default:
			w.Header().Set("Retry-After", "3")
			http.Error(w, "busy\nsecond line", http.StatusServiceUnavailable)
		}
	}))
	defer ts.Close()
	c := New(ts.URL, nil)
	res, err := c.Blur(context.Background(), "png", img)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Image, img) || res.Format != "png" {
		t.Errorf("data-URL answer: %d bytes %q", len(res.Image), res.Format)
	}
	_, err = c.Enhance(context.Background(), "png", img)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 503 || e.RetryAfter != 3*time.Second || e.Message != "busy" {
		t.Errorf("503: %+v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL
	ts.Close()
	_, err := New(url, nil).Blur(context.Background(), "png", []byte("x"))
	var e *Error
	if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), url) {
		t.Errorf("refused connection: %v; want a transport error naming %s", err, url)
	}
}

func TestHealth(t *testing.T) {
	ts := newWorker(t)
	h, err := New(ts.URL, nil).Health(context.Background())
	if err != nil || h != "ready" {
		t.Errorf("health %q, %v", h, err)
	}
}

// TestAcceptHeader: a request asks for the raw image in the workload's own
// format unless the client's Header names another; against a real worker,
// an enhance of a JPEG asked for as PNG is answered losslessly as PNG.
func TestAcceptHeader(t *testing.T) {
	ts := newWorker(t)
	jpg := testutil.SeedFile(t, "imageproc/inputs/dull.jpg")
	for _, tc := range []struct {
		name, accept, wantFormat string
	}{
		{name: "default: the input's format", wantFormat: "jpg"},
		{name: "png asked for", accept: "image/png", wantFormat: "png"},
		{name: "bmp asked for", accept: "image/bmp", wantFormat: "bmp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(ts.URL, nil)
			if tc.accept != "" {
				c.Header.Set("Accept", tc.accept)
			}
			res, err := c.Enhance(context.Background(), "jpg", jpg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != tc.wantFormat {
				t.Fatalf("answer in %q, want %q", res.Format, tc.wantFormat)
			}
		})
	}
}
