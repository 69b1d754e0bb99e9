package imageproc

import (
	"context"
	"image"
	"testing"
)

// TestEnhanceUnitsAddUp: the fixed units plus every row's units are the
// units Enhance counts, on images wider and narrower than its window,
// busy and flat.
func TestEnhanceUnitsAddUp(t *testing.T) {
	noise := func(w, h int) image.Image {
		img := image.NewGray(image.Rect(0, 0, w, h))
		x := uint32(1)
		for i := range img.Pix {
			x = x*1664525 + 1013904223
			img.Pix[i] = uint8(x >> 24)
		}
		return img
	}
	flat := func(w, h int) image.Image {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = 77
		}
		return img
	}
	gradient := func(w, h int) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				i := img.PixOffset(x, y)
				img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x), uint8(y), uint8(x+y), 255
			}
		}
		return img
	}
	for _, tc := range []struct {
		name string
		img  image.Image
	}{
		{"noise wide", noise(333, 260)},
		{"noise narrow", noise(40, 150)},
		{"flat", flat(250, 130)},
		{"gradient", gradient(300, 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, st, err := Enhance(context.Background(), tc.img, Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			g := NewGrayRows(tc.img)
			w, h := g.Size()
			row := make([]uint8, w)
			got := EnhanceFixedUnits(w, h)
			for y := range h {
				g.Row(y, row)
				got += EnhanceRowUnits(row)
			}
			if got != st.Units {
				t.Errorf("fixed plus rows %d units, Enhance %d", got, st.Units)
			}
		})
	}
}
