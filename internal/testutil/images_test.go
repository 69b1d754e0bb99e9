package testutil

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

func grey(w, h int, v uint8) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

func TestImagesClose(t *testing.T) {
	// 40x30 = 1200 pixels: 1 may differ by one (0.08%), 2 may not (0.17%).
	base := grey(40, 30, 100)
	with := func(set func(img *image.RGBA)) *image.RGBA {
		img := grey(40, 30, 100)
		set(img)
		return img
	}
	shifted := image.NewRGBA(image.Rect(5, 7, 45, 37))
	copy(shifted.Pix, base.Pix)
	tests := []struct {
		name   string
		got    image.Image
		errHas string
	}{
		{name: "same", got: base},
		{name: "same pixels at other bounds", got: shifted},
		{name: "one pixel off by one", got: with(func(img *image.RGBA) { img.Set(3, 4, color.RGBA{101, 100, 99, 255}) })},
		{name: "two pixels off by one", got: with(func(img *image.RGBA) {
			img.Set(3, 4, color.RGBA{101, 100, 100, 255})
			img.Set(30, 20, color.RGBA{100, 100, 99, 255})
		}), errHas: "2 of 1200 pixels differ by 1"},
		{name: "a pixel off by two", got: with(func(img *image.RGBA) { img.Set(39, 29, color.RGBA{100, 102, 100, 255}) }),
			errHas: "pixel (39,29) differs by 2"},
		{name: "other size", got: grey(30, 40, 100), errHas: "size (30,40), want (40,30)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ImagesClose(tt.got, base)
			if tt.errHas == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("ImagesClose = %v; want an error with %q", err, tt.errHas)
			}
		})
	}
}
