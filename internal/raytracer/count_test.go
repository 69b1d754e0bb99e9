package raytracer

import (
	"context"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestRayCounterCountsAsRender: counting every primary ray of a window,
// one at a time and without colours, gives the units Render counts, for
// scenes with reflection, transmission, shadows and a texture known only
// by its header; a window of a few pixels is enough to tell a single
// missed ray.
func TestRayCounterCountsAsRender(t *testing.T) {
	for _, tc := range []struct {
		name, scene, texmap string
		p                   Params
	}{
		{"test01 whole", "test01.txt", "", Params{SCols: 40, SRows: 30, WCols: 40, WRows: 30}},
		{"test01 aa window", "test01.txt", "", Params{SCols: 64, SRows: 48, WCols: 20, WRows: 11, COff: 7, ROff: 5, AA: true}},
		{"test04 offsets", "test04.txt", "", Params{SCols: 80, SRows: 45, WCols: 33, WRows: 20, COff: 40, ROff: -20}},
		{"test05 aa", "test05.txt", "", Params{SCols: 50, SRows: 40, WCols: 50, WRows: 40, AA: true}},
		{"texmap header only", "test-texmap.txt", texTestTexmap, Params{SCols: 60, SRows: 40, WCols: 31, WRows: 17, COff: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := seedScene(t, tc.scene, tc.texmap)
			_, want, err := Render(context.Background(), full, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			src := testutil.SeedCopy(t, "raytracer/scenes/"+tc.scene)
			var hdr *TexmapHeader
			if tc.texmap != "" {
				hdr = headerOf(testutil.SeedCopy(t, tc.texmap))
			}
			s, err := ParseSceneHeader(src, hdr, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewRayCounter(s, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for r := range tc.p.WRows {
				for col := range tc.p.WCols {
					for k := range c.Samples() {
						sum += c.Primary(col, r, k)
					}
				}
			}
			got := c.Stats()
			if sum != want.Units() || got.Rays != want.Rays || got.Tests != want.Tests {
				t.Errorf("counted %d units (%d rays, %d tests), Render %d (%d rays, %d tests)",
					sum, got.Rays, got.Tests, want.Units(), want.Rays, want.Tests)
			}
		})
	}
}

func TestNewRayCounterRefuses(t *testing.T) {
	s := seedScene(t, "test01.txt", "")
	for _, tc := range []struct {
		name string
		s    *Scene
		p    Params
	}{
		{"nil scene", nil, Params{SCols: 4, SRows: 4, WCols: 4, WRows: 4}},
		{"window above the scene", s, Params{SCols: 4, SRows: 4, WCols: 5, WRows: 4}},
		{"zero size", s, Params{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewRayCounter(tc.s, tc.p); err == nil {
				t.Error("no error")
			}
		})
	}
}

// BenchmarkRayCounter is the CPU cost of counting one primary ray of a
// seed scene (ns/op), without colours.
func BenchmarkRayCounter(b *testing.B) {
	for _, name := range []string{"test01.txt", "test04.txt", "test05.txt"} {
		b.Run(name, func(b *testing.B) {
			s := seedScene(b, name, "")
			c, err := NewRayCounter(s, Params{SCols: 64, SRows: 48, WCols: 64, WRows: 48})
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				c.Primary(i%64, (i/64)%48, 0)
				i++
			}
			b.ReportMetric(float64(c.Stats().Units())/float64(b.N), "units/op")
		})
	}
}
