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
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	return img
}

func TestImagesEqual(t *testing.T) {
	base := grey(40, 30, 100)
	with := func(set func(img *image.RGBA)) *image.RGBA {
		img := grey(40, 30, 100)
		set(img)
		return img
	}
	shifted := image.NewRGBA(image.Rect(5, 7, 45, 37))
	copy(shifted.Pix, base.Pix)
	asGray := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range asGray.Pix {
		asGray.Pix[i] = 100
	}
	tests := []struct {
		name   string
		got    image.Image
		errHas []string
	}{
		{name: "same", got: base},
		{name: "same pixels at other bounds", got: shifted},
		{name: "same pixels in another image type", got: asGray},
		{name: "one pixel off by one", got: with(func(img *image.RGBA) { img.Set(3, 4, color.RGBA{101, 100, 100, 255}) }),
			errHas: []string{"1 of 1200 pixels differ, by up to 1 levels", "(3,4) 101,100,100,255 want 100,100,100,255"}},
		{name: "alpha only", got: with(func(img *image.RGBA) { img.Set(0, 0, color.RGBA{100, 100, 100, 254}) }),
			errHas: []string{"1 of 1200 pixels differ, by up to 1 levels", "(0,0) 100,100,100,254"}},
		{name: "many pixels: count, largest difference and the first five", got: with(func(img *image.RGBA) {
			for x := 10; x < 17; x++ {
				img.Set(x, 20, color.RGBA{100, 100, uint8(100 - (x - 9)), 255})
			}
		}), errHas: []string{"7 of 1200 pixels differ, by up to 7 levels", "(10,20)", "(14,20)", ", …"}},
		{name: "other size", got: grey(30, 40, 100), errHas: []string{"size (30,40), want (40,30)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ImagesEqual(tt.got, base)
			if len(tt.errHas) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ImagesEqual = nil; want an error with %q", tt.errHas)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("ImagesEqual = %v; want an error with %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "(15,20)") {
				t.Errorf("ImagesEqual = %v names more than the first five pixels", err)
			}
		})
	}
	// Pixels are named at their coordinates in want.
	dark := with(func(img *image.RGBA) { img.Set(3, 4, color.RGBA{0, 0, 0, 255}) })
	if err := ImagesEqual(dark, shifted); err == nil || !strings.Contains(err.Error(), "(8,11) 0,0,0,255 want 100,100,100,255") {
		t.Errorf("ImagesEqual against shifted bounds = %v; want pixel (8,11) named", err)
	}
}
