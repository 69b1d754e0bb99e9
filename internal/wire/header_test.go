package wire

import (
	"bytes"
	"context"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// assertHeaderDecodeAgrees checks DecodeHeader against what Decode gave
// (features f, error err) for the same request: the same refusal, or the
// same features with no pixels held, which DecodePixels then adds with
// Decode's result.
func assertHeaderDecodeAgrees(t *testing.T, kind workload.Kind, query string, body []byte, lim Limits, f workload.Features, err error) {
	t.Helper()
	req, hf, herr := DecodeHeader(kind, query, body, lim)
	if herr != nil {
		if err == nil || herr.Error() != err.Error() || StatusOf(herr) != StatusOf(err) || hf != f {
			t.Fatalf("DecodeHeader: %v (features %+v); Decode: %v (features %+v)", herr, hf, err, f)
		}
		return
	}
	if req.Image != nil {
		t.Fatal("DecodeHeader holds the image")
	}
	if kind == workload.Raytracer && req.Texmap != nil {
		if _, _, rerr := raytracer.Render(context.Background(), req.Scene, raytracer.Params{SCols: 2, SRows: 2, WCols: 2, WRows: 2}); rerr == nil {
			t.Fatal("the scene DecodeHeader returns renders without its texture's pixels")
		}
	}
	perr := req.DecodePixels()
	if (perr == nil) != (err == nil) || perr != nil && (perr.Error() != err.Error() || StatusOf(perr) != StatusOf(err)) {
		t.Fatalf("DecodePixels: %v; Decode: %v", perr, err)
	}
	if perr == nil && (hf != f || req.Features != f) {
		t.Fatalf("DecodeHeader features %+v; Decode %+v", hf, f)
	}
}

// TestDecodeHeaderReadsNoPixels: the header decode of a request whose
// texture or image is a decompression bomb within the limits (a small
// file declaring 4096×4096 pixels) allocates less than a megabyte, not
// the hundreds of megabytes of its pixels, and reads its features.
func TestDecodeHeaderReadsNoPixels(t *testing.T) {
	bomb := testutil.TexmapBomb(4096, 4096)
	scene := []byte(testutil.TexmapScene)
	ray := workload.Features{Kind: workload.Raytracer, SCols: 8, SRows: 6, WCols: 8, WRows: 6, Shapes: 1, Lights: 2,
		TexmapBytes: len(bomb), SceneBytes: len(scene), InputBytes: len(scene) + len(bomb), InputHash: InputHash(scene, bomb)}
	for _, tc := range []struct {
		name string
		kind workload.Kind
		body []byte
		want workload.Features
	}{
		{"texture as an array", workload.Raytracer, RaytraceBody(scene, bomb), ray},
		{"texture as base64", workload.Raytracer, []byte(`{"scene":` + mustJSON(t, testutil.TexmapScene) + `,"texmap":` + mustJSON(t, bomb) + `}`), ray},
		{"image", workload.Blur, []byte(dataurl.String("png", bomb)), workload.Features{Kind: workload.Blur,
			Width: 4096, Height: 4096, Format: "png", InputBytes: len(bomb), InputHash: InputHash(bomb)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := ""
			if tc.kind == workload.Raytracer {
				query = "scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0"
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			req, f, err := DecodeHeader(tc.kind, query, tc.body, DefaultLimits())
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("DecodeHeader allocates %d bytes for a %d-byte body", alloc, len(tc.body))
			}
			if f != tc.want {
				t.Errorf("features\n got %+v\nwant %+v", f, tc.want)
			}
			if tc.kind == workload.Raytracer && (req.Texmap == nil || req.Texmap.Config.Width != 4096 || req.Texmap.Config.Height != 4096) {
				t.Errorf("texture header %+v, want 4096x4096", req.Texmap)
			}
		})
	}
}

// TestPreparedMemoryBoundsDecodeHeader: what DecodeHeader holds is within
// Prepared.Memory for bodies of every kind, the large and the hostile ones
// among them, and so is what it allocates, garbage included, but for the
// short-lived strings a large scene's tokens leave (streaming: the texture
// or image is never held); Prepare itself allocates next to nothing.
func TestPreparedMemoryBoundsDecodeHeader(t *testing.T) {
	bomb := testutil.TexmapBomb(4096, 4096)
	jpeg := testutil.SeedFile(t, "imageproc/inputs/airplane.jpg")
	scene01 := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	var many strings.Builder
	many.WriteString("0 0 10\n0 0 0\n0 1 0\n30\n1\n0 0 0 1 1 1 1 0 0\n1\nsolid 1 0 0\n1\n.1 .9 0 1 0 0 1\n10000\n")
	for range 10000 {
		many.WriteString("0 0 plane 0 0 1 0\n")
	}
	const query = "scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0"
	for _, tc := range []struct {
		name   string
		kind   workload.Kind
		body   []byte
		tokens bool // a large scene: its tokens' garbage is not counted
	}{
		{"small scene", workload.Raytracer, RaytraceBody(scene01, nil), false},
		{"ten thousand shapes", workload.Raytracer, RaytraceBody([]byte(many.String()), nil), true},
		{"scene above the limit", workload.Raytracer, RaytraceBody(bytes.Repeat([]byte("0 "), 3<<20), nil), false},
		{"texture bomb", workload.Raytracer, RaytraceBody([]byte(testutil.TexmapScene), bomb), false},
		{"texture bomb as base64", workload.Raytracer, []byte(`{"scene":` + mustJSON(t, testutil.TexmapScene) + `,"texmap":` + mustJSON(t, bomb) + `}`), false},
		{"image bomb", workload.Blur, []byte(dataurl.String("png", bomb)), false},
		{"photograph", workload.Enhance, []byte(testutil.WrappedDataURL("jpg", jpeg)), false},
		{"form-encoded photograph", workload.Blur, []byte(url.QueryEscape(dataurl.String("jpg", jpeg))), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p, _, err := Prepare(tc.kind, query, tc.body, DefaultLimits())
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
				t.Errorf("Prepare allocated %d bytes", alloc)
			}
			runtime.GC()
			runtime.ReadMemStats(&before)
			req, _, _ := p.DecodeHeader()
			runtime.ReadMemStats(&after)
			alloc := int64(after.TotalAlloc - before.TotalAlloc)
			runtime.GC()
			var kept runtime.MemStats
			runtime.ReadMemStats(&kept)
			held := int64(kept.HeapAlloc) - int64(before.HeapAlloc)
			runtime.KeepAlive(req)
			if held > p.Memory() {
				t.Errorf("DecodeHeader holds %d bytes, above Memory's %d", held, p.Memory())
			}
			if !tc.tokens && alloc > p.Memory() {
				t.Errorf("DecodeHeader allocated %d bytes, above Memory's %d", alloc, p.Memory())
			}
		})
	}
}
