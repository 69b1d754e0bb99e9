package raytracer

import (
	"context"
	"image"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// goldens are renders of the original Java ray tracer (see the seed data's
// README for how each was made), by their paths in the seed data's
// raytracer/ directory with the PNG the package keeps in place of the BMP.
// generated-goldens/test01_400x300.bmp is left out: it is
// reference-renders/result.bmp byte for byte.
var goldens = []struct {
	name   string
	scene  string
	texmap string
	p      Params
	file   string
}{
	{"01 800x450", "test01.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/01.png"},
	{"02 800x450", "test02.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/02.png"},
	{"03 800x450", "test03.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/03.png"},
	{"04 800x450", "test04.txt", "", Params{SCols: 800, SRows: 450, WCols: 800, WRows: 450}, "reference-renders/04.png"},
	{"result 400x300", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "reference-renders/result.png"},
	{"01 400x300 aa", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300, AA: true}, "generated-goldens/test01_400x300_aa.png"},
	{"01 s400x300 w200x150", "test01.txt", "", Params{SCols: 400, SRows: 300, WCols: 200, WRows: 150}, "generated-goldens/test01_s400x300_w200x150_c0_r0.png"},
	{"03 400x300", "test03.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test03_400x300.png"},
	{"03 64x48 aa", "test03.txt", "", Params{SCols: 64, SRows: 48, WCols: 64, WRows: 48, AA: true}, "generated-goldens/test03_64x48_aa.png"},
	{"04 400x300", "test04.txt", "", Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test04_400x300.png"},
	{"texmap 400x300", "test-texmap.txt", texTestTexmap, Params{SCols: 400, SRows: 300, WCols: 400, WRows: 300}, "generated-goldens/test-texmap_400x300_tm-test-texmap.png"},
	{"texmap cat.jpg 240x180", "test-texmap.txt", texCat, Params{SCols: 240, SRows: 180, WCols: 240, WRows: 180}, "generated-goldens/test-texmap_240x180_tm-cat-jpg.png"},
}

// TestGolden renders every golden and requires every pixel to be the
// original's exactly. (That the BMP of these pixels is the original's file
// byte for byte is checked by internal/seedcheck against the seed data.)
//
// Under the race detector, which slows tracing down tenfold, the full-window
// goldens are checked on bands of rows rendered as windows (see goldenBands),
// except result.png which is always rendered whole; scripts/test.sh runs
// this test without the race detector too, on every pixel.
func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			s := seedScene(t, g.scene, g.texmap)
			want := seedGolden(t, g.file)
			if raceEnabled && g.p.WRows == g.p.SRows && g.name != "result 400x300" {
				goldenBands(t, s, g.p, want)
				return
			}
			got, _, err := Render(context.Background(), s, g.p)
			if err != nil {
				t.Fatal(err)
			}
			if err := testutil.ImagesEqual(got, want); err != nil {
				t.Errorf("against %s: %v", g.file, err)
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
		rows := image.Rect(0, y0, p.WCols, y0+h)
		if err := testutil.ImagesEqual(got, want.(subImager).SubImage(rows)); err != nil {
			t.Errorf("rows %d-%d: %v", y0, y0+h-1, err)
		}
	}
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}
