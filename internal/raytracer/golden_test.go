package raytracer

import (
	"bytes"
	"context"
	"image"
	"testing"

	"github.com/specialvfx/vfx/internal/dataurl"
)

// goldens are renders of the original Java ray tracer (see the seed data's
// README for how each was made).
var goldens = []struct {
	name   string
	scene  string
	texmap string
	p      Params
	file   string
}{
	{"01 800x450", "test01.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/01.bmp"},
	{"02 800x450", "test02.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/02.bmp"},
	{"03 800x450", "test03.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/03.bmp"},
	{"04 800x450", "test04.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/04.bmp"},
	{"result 400x300", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "reference-renders/result.bmp"},
	{"01 400x300", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test01_400x300.bmp"},
	{"01 400x300 aa", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300, AA: true}, "generated-goldens/test01_400x300_aa.bmp"},
	{"01 s400x300 w200x150", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 200, WRows: 150}, "generated-goldens/test01_s400x300_w200x150_c0_r0.bmp"},
	{"03 400x300", "test03.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test03_400x300.bmp"},
	{"03 64x48 aa", "test03.txt", "", Params{SCols: 64, SRows: 48, WCols: 64, WRows: 48, AA: true}, "generated-goldens/test03_64x48_aa.bmp"},
	{"04 400x300", "test04.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test04_400x300.bmp"},
	{"texmap 400x300", "test-texmap.txt", "test-texmap.bmp", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test-texmap_400x300_tm-test-texmap.bmp"},
}

// TestGolden renders every golden and compares it pixel by pixel with the
// original's output: no channel may differ by more than 1, and at most
// 0.1% of the pixels may differ at all. Where every pixel matches, the BMP
// file must match byte for byte too.
//
// Under the race detector, which slows tracing down tenfold, the full-window
// goldens are checked on bands of rows rendered as windows (see goldenBands),
// except result.bmp which is always rendered whole.
func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			s := seedScene(t, g.scene, g.texmap)
			raw, want := seedBMP(t, "raytracer/"+g.file)
			if raceEnabled && g.p.WRows == g.p.SRows && g.name != "result 400x300" {
				goldenBands(t, s, g.p, want)
				return
			}
			got, _, err := Render(context.Background(), s, g.p)
			if err != nil {
				t.Fatal(err)
			}
			exact := comparePixels(t, got, want)
			total := g.p.WCols * g.p.WRows
			t.Logf("%d of %d pixels match exactly", exact, total)
			if exact == total {
				var buf bytes.Buffer
				if err := dataurl.EncodeBMP(&buf, got); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), raw) {
					t.Errorf("every pixel matches but the BMP bytes differ from %s", g.file)
				}
			}
		})
	}
}

// goldenBands renders bands of 8 rows of a full-window golden, each as a
// window of the scene placed with roff where the full render has those rows,
// and compares them with the golden's rows.
func goldenBands(t *testing.T, s *Scene, p Params, want image.Image) {
	const h = 8
	for _, y0 := range []int{0, p.SRows/3 - h/2, 2*p.SRows/3 - h/2, p.SRows - h} {
		bp := p
		// Window row r shows scene row h-1-(r+roff), which is full-render
		// row y0+r when roff = h - srows + y0.
		bp.WRows, bp.ROff = h, h-p.SRows+y0
		got, _, err := Render(context.Background(), s, bp)
		if err != nil {
			t.Fatal(err)
		}
		band := image.NewRGBA(image.Rect(0, y0, p.WCols, y0+h))
		copy(band.Pix, got.Pix)
		exact := comparePixels(t, band, want.(subImager).SubImage(band.Rect))
		t.Logf("rows %d-%d: %d of %d pixels match exactly", y0, y0+h-1, exact, p.WCols*h)
	}
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

// comparePixels fails t unless got is within tolerance of want, and
// returns the number of pixels that match exactly.
func comparePixels(t *testing.T, got *image.RGBA, want image.Image) int {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, want %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	exact, off, reported := 0, 0, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := got.RGBAAt(x, y)
			wr, wg, wb, _ := want.At(x, y).RGBA()
			w := [3]int{int(wr >> 8), int(wg >> 8), int(wb >> 8)}
			d := [3]int{int(g.R) - w[0], int(g.G) - w[1], int(g.B) - w[2]}
			if d == [3]int{} {
				exact++
				continue
			}
			off++
			for _, v := range d {
				if v > 1 || v < -1 {
					if reported < 10 {
						t.Errorf("pixel (%d,%d) = %d,%d,%d, want %v", x, y, g.R, g.G, g.B, w)
					}
					reported++
					break
				}
			}
		}
	}
	if reported > 10 {
		t.Errorf("... %d pixels differ by more than 1 in all", reported)
	}
	total := b.Dx() * b.Dy()
	if off*1000 > total {
		t.Errorf("%d of %d pixels differ (by at most 1), more than the 0.1%% allowed", off, total)
	}
	return exact
}
