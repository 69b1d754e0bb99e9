package imageproc

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/testutil"
)

// decodeSeedImage decodes the package's copy of a seed image (rel as in the
// seed data) the way the original system did (for JPEGs, with IJG's
// arithmetic; see package codec).
func decodeSeedImage(t testing.TB, rel string) image.Image {
	t.Helper()
	img, _, err := codec.Decode(testutil.SeedCopy(t, rel), codec.DefaultLimits())
	if err != nil {
		t.Fatalf("decode %s: %v", rel, err)
	}
	return img
}

// nrgbaAt returns the 8-bit non-premultiplied colour of img at (x, y),
// relative to the image's bounds, through the generic image.Image interface.
func nrgbaAt(img image.Image, x, y int) color.NRGBA {
	b := img.Bounds()
	return color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
}

// rgbSamples returns the R, G, B samples of img, row by row (grey images
// give the grey value three times).
func rgbSamples(img image.Image) []uint8 {
	b := img.Bounds()
	out := make([]uint8, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch m := img.(type) {
			case *image.RGBA:
				p := m.Pix[m.PixOffset(x, y):]
				out = append(out, p[0], p[1], p[2])
			case *image.Gray:
				v := m.Pix[m.PixOffset(x, y)]
				out = append(out, v, v, v)
			default:
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				out = append(out, c.R, c.G, c.B)
			}
		}
	}
	return out
}

// psnr compares two images of the same size over their R, G and B samples
// (the grey value for grey images) and returns the peak signal-to-noise
// ratio in dB.
func psnr(t testing.TB, got, want image.Image) float64 {
	t.Helper()
	gb, wb := got.Bounds(), want.Bounds()
	if gb.Dx() != wb.Dx() || gb.Dy() != wb.Dy() {
		t.Fatalf("size %dx%d, want %dx%d", gb.Dx(), gb.Dy(), wb.Dx(), wb.Dy())
	}
	a, b := rgbSamples(got), rgbSamples(want)
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(len(a))))
}

// randomRGBA returns a w×h image of random colours, smoothed a little so that
// it has structure as well as noise.
func randomRGBA(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		if i%4 == 3 {
			img.Pix[i] = 0xff
			continue
		}
		img.Pix[i] = uint8(rng.IntN(256))
	}
	// Add a gradient and a bright block so values are not uniform.
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			o := img.PixOffset(x, y)
			img.Pix[o] = uint8((int(img.Pix[o]) + 255*x/max(w, 1)) / 2)
			if x > w/3 && x < w/2 && y > h/4 && y < h/2 {
				img.Pix[o+1] = 250
			}
		}
	}
	return img
}

// randomGray returns a w×h grey image with few distinct values in places,
// so that histogram ties are exercised.
func randomGray(w, h int, seed uint64) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := rng.IntN(256)
			if (x/7+y/5)%3 == 0 {
				v = 40 + rng.IntN(4) // a low-contrast patch with ties
			}
			img.Pix[y*img.Stride+x] = uint8(v)
		}
	}
	return img
}
