package testutil

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// TestTexmapBomb: the bomb is a valid PNG of the size it declares, every
// sample zero, far smaller than its pixels.
func TestTexmapBomb(t *testing.T) {
	for _, sz := range [][2]uint32{{37, 19}, {4096, 4096}} {
		b := TexmapBomb(sz[0], sz[1])
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%dx%d: %v", sz[0], sz[1], err)
		}
		m, ok := img.(*image.RGBA64)
		if !ok || m.Bounds() != image.Rect(0, 0, int(sz[0]), int(sz[1])) {
			t.Fatalf("%dx%d decodes to %T %v", sz[0], sz[1], img, img.Bounds())
		}
		for i := 0; i < len(m.Pix); i += 8 {
			if m.Pix[i] != 0 || m.Pix[i+2] != 0 || m.Pix[i+4] != 0 {
				t.Fatalf("%dx%d: a sample is not zero at byte %d", sz[0], sz[1], i)
			}
		}
		if sz[0] > 1000 && len(b)*1000 > len(m.Pix) {
			t.Errorf("%dx%d: %d bytes for %d bytes of pixels", sz[0], sz[1], len(b), len(m.Pix))
		}
	}
}
