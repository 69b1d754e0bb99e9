package codec

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDecodeRGBMatchesJava decodes images of every kind the decoders
// return (grey of 1 to 16 bits, with and without alpha or a transparent
// colour, 8- and 16-bit colour with alpha, palettes, one-component JPEG,
// 24- and 32-bit BMP) and requires the colours Java's getRGB gives for each
// (testdata/getrgb/<name>.getrgb.png, written by GetRGB.java).
func TestDecodeRGBMatchesJava(t *testing.T) {
	inputs, err := filepath.Glob("testdata/getrgb/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".getrgb.png") || strings.HasSuffix(in, ".java") || strings.HasSuffix(in, ".md") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := DecodeRGB(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if got.Rect.Min != (image.Point{}) || !got.Opaque() {
				t.Errorf("bounds %v, opaque %v: want an opaque image at (0, 0)", got.Rect, got.Opaque())
			}
			jb, err := os.ReadFile(in + ".getrgb.png")
			if err != nil {
				t.Fatal(err)
			}
			want, err := png.Decode(bytes.NewReader(jb))
			if err != nil {
				t.Fatal(err)
			}
			if err := testutil.ImagesEqual(got, want); err != nil {
				t.Error(err)
			}
		})
	}
	if n != 20 {
		t.Errorf("%d images, want 20", n)
	}
}

func TestDecodeRGBErrors(t *testing.T) {
	tiny := tinyImages(t)
	if _, _, err := DecodeRGB(tiny["png"], Limits{MaxPixels: 14}); err == nil {
		t.Error("no error above the pixel limit")
	}
	if _, _, err := DecodeRGB([]byte("not an image"), DefaultLimits()); err == nil {
		t.Error("no error for text")
	}
}
