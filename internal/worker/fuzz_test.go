package worker

import (
	"testing"

	"github.com/specialvfx/vfx/internal/workload"
)

// FuzzDecodeRequest feeds arbitrary queries and bodies to Decode for each
// workload: it must return a request or a *RequestError with a 4xx status
// and a one-line message, and never panic.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(uint8(0), query400, `{"scene": "0 0 0\n0 0 -1\n0 1 0\n30\n1\n0 0 0 1 1 1 1 0 0\n1\nsolid 1 0 0\n1\n0.4 0.6 0 1 0 0 0\n1\n0 0 sphere 0 0 -5 1\n"}`)
	f.Add(uint8(0), "scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0&aa=true", `{"scene": "x", "texmap": [66, 77, 0]}`)
	f.Add(uint8(0), "scols=%38&srows=6", `{"scene": "x", "texmap": "Qk0="}`)
	f.Add(uint8(1), "", dataURL("png", testPNG(f, 3, 2)))
	f.Add(uint8(2), "", wrapped76("png", testPNG(f, 5, 4)))
	f.Add(uint8(1), "", dataURL("gif", []byte("GIF89a\x01\x00\x01\x00")))
	f.Add(uint8(2), "", dataURL("png", bombPNG(1<<20, 1<<20)))
	lim := DefaultLimits()
	// Keep each fuzz input cheap to decode.
	lim.Scene.MaxPixels = 1 << 12
	lim.Image.MaxPixels = 1 << 16
	lim.Scene.MaxTexmapPixels = 1 << 16
	f.Fuzz(func(t *testing.T, k uint8, query, body string) {
		kind := workload.Kinds[int(k)%len(workload.Kinds)]
		req, err := Decode(kind, query, []byte(body), lim)
		if err != nil {
			if req != nil {
				t.Fatalf("request %+v with error %v", req, err)
			}
			st := StatusOf(err)
			if st < 400 || st > 499 {
				t.Fatalf("status %d for %v, want 4xx", st, err)
			}
			msg := err.Error()
			if msg == "" || len(msg) > maxMessage+3 {
				t.Fatalf("message %q: want one line of at most %d bytes", msg, maxMessage)
			}
			for _, r := range msg {
				if r < 0x20 {
					t.Fatalf("message %q has a control character", msg)
				}
			}
			return
		}
		if req.Kind != kind || req.Features.Kind != kind || req.Features.InputHash == "" {
			t.Fatalf("request %+v for %s", req.Features, kind)
		}
		if kind == workload.Raytracer {
			if req.Scene == nil || req.Features.Pixels() <= 0 {
				t.Fatalf("ray-tracer request without a scene or pixels: %+v", req.Features)
			}
		} else if req.Features.Width <= 0 || req.Features.Height <= 0 || int64(req.Features.Width)*int64(req.Features.Height) > lim.Image.MaxPixels {
			t.Fatalf("image %dx%d outside 1..%d pixels", req.Features.Width, req.Features.Height, lim.Image.MaxPixels)
		}
	})
}
