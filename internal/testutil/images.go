package testutil

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
)

// maxReported is how many differing pixels ImagesEqual names.
const maxReported = 5

// ImagesEqual reports whether got has exactly the pixels of want: the same
// size (the bounds may be offset) and the same colour (the same RGBA
// values) at every pixel, whatever the image types. Otherwise the error
// says how many pixels differ, by how many 8-bit levels at most, and which
// are the first few (in row order, at their coordinates in want, with their
// 8-bit premultiplied red, green, blue and alpha).
func ImagesEqual(got, want image.Image) error {
	gb, wb := got.Bounds(), want.Bounds()
	if gb.Size() != wb.Size() {
		return fmt.Errorf("size %v, want %v", gb.Size(), wb.Size())
	}
	var first []string
	differ, maxDiff := 0, 0
	for y := 0; y < gb.Dy(); y++ {
		for x := 0; x < gb.Dx(); x++ {
			g := rgba(got.At(gb.Min.X+x, gb.Min.Y+y))
			w := rgba(want.At(wb.Min.X+x, wb.Min.Y+y))
			if g == w {
				continue
			}
			differ++
			for i := range g {
				maxDiff = max(maxDiff, levels(g[i], w[i]))
			}
			if len(first) < maxReported {
				first = append(first, fmt.Sprintf("(%d,%d) %d,%d,%d,%d want %d,%d,%d,%d",
					wb.Min.X+x, wb.Min.Y+y, g[0]>>8, g[1]>>8, g[2]>>8, g[3]>>8, w[0]>>8, w[1]>>8, w[2]>>8, w[3]>>8))
			}
		}
	}
	if differ == 0 {
		return nil
	}
	more := ""
	if differ > len(first) {
		more = ", …"
	}
	return fmt.Errorf("%d of %d pixels differ, by up to %d levels: %s%s",
		differ, gb.Dx()*gb.Dy(), maxDiff, strings.Join(first, "; "), more)
}

func rgba(c color.Color) [4]uint32 {
	r, g, b, a := c.RGBA()
	return [4]uint32{r, g, b, a}
}

// levels is the difference of two 16-bit channel values in 8-bit levels,
// rounded up.
func levels(a, b uint32) int {
	d := max(int(a)-int(b), int(b)-int(a))
	return (d + 256) / 257
}

// ReadLosslessImage decodes a PNG or BMP file (the lossless formats, whose
// decoders leave nothing to interpretation, so the standard ones give the
// pixels any decoder would), failing tb if it cannot.
func ReadLosslessImage(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var img image.Image
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		img, err = png.Decode(f)
	case ".bmp":
		img, err = bmp.Decode(f)
	default:
		tb.Fatalf("%s: not a PNG or BMP file", path)
	}
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return img
}
