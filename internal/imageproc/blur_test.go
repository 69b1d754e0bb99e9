package imageproc

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"testing"
)

// refBlur is the slow, obviously correct blur: for every sample, sum the
// kernel taps that fall inside the image, divide by their weight with
// rounding ((t + w/2) / w), first along rows of the input, then along columns
// of that result. It also counts the taps it applies.
func refBlur(img image.Image) (*image.RGBA, int64) {
	const r = BlurRadius
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var in, mid [3][][]int64
	for c := range 3 {
		in[c], mid[c] = make([][]int64, h), make([][]int64, h)
		for y := range h {
			in[c][y], mid[c][y] = make([]int64, w), make([]int64, w)
			for x := range w {
				p := nrgbaAt(img, x, y)
				in[c][y][x] = int64([3]uint8{p.R, p.G, p.B}[c])
			}
		}
	}
	var taps int64
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for c := range 3 {
		for y := range h {
			for x := range w {
				var t, wt int64
				for d := -r; d <= r; d++ {
					if x+d >= 0 && x+d < w {
						k := int64(gaussKernel[d+r])
						t += k * in[c][y][x+d]
						wt += k
						taps++
					}
				}
				mid[c][y][x] = (t + wt/2) / wt
			}
		}
		for y := range h {
			for x := range w {
				var t, wt int64
				for d := -r; d <= r; d++ {
					if y+d >= 0 && y+d < h {
						k := int64(gaussKernel[d+r])
						t += k * mid[c][y+d][x]
						wt += k
						taps++
					}
				}
				out.Pix[out.PixOffset(x, y)+c] = uint8((t + wt/2) / wt)
				out.Pix[out.PixOffset(x, y)+3] = 0xff
			}
		}
	}
	return out, taps
}

func TestBlurMatchesReference(t *testing.T) {
	tests := []struct {
		name string
		w, h int
	}{
		{"1x1", 1, 1},
		{"1xN", 1, 90},
		{"Nx1", 77, 1},
		{"smaller than the kernel", 13, 9},
		{"one less than the kernel", 64, 64},
		{"kernel size", 65, 65},
		{"one more than the kernel", 66, 66},
		{"odd, wider than the kernel", 131, 37},
		{"odd, taller than the kernel", 29, 143},
		{"odd, larger than the kernel both ways", 157, 101},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img := randomRGBA(tc.w, tc.h, uint64(tc.w*1000+tc.h))
			want, taps := refBlur(img)
			for _, threads := range []int{1, 3} {
				got, st, err := Blur(context.Background(), img, Options{Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				assertSameRGBA(t, got, want)
				if st.Units != taps {
					t.Errorf("threads=%d: units %d, want %d taps", threads, st.Units, taps)
				}
			}
		})
	}
}

func assertSameRGBA(t *testing.T, got, want *image.RGBA) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := 0; y < want.Bounds().Dy(); y++ {
		for x := 0; x < want.Bounds().Dx(); x++ {
			if g, w := got.RGBAAt(x, y), want.RGBAAt(x, y); g != w {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, g, w)
			}
		}
	}
}

// TestBlurInputTypes feeds the same picture through every image type the
// decoders produce; the result must equal the reference of that picture.
func TestBlurInputTypes(t *testing.T) {
	base := randomRGBA(70, 68, 7)
	w, h := 70, 68
	rect := image.Rect(0, 0, w, h)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	gray := image.NewGray(rect)
	pal := image.NewPaletted(rect, palette.Plan9)
	nrgba := image.NewNRGBA(rect)
	cmyk := image.NewCMYK(rect)
	rgba64 := image.NewRGBA64(rect)
	for y := range h {
		for x := range w {
			c := base.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
			ycc.Cb[ycc.COffset(x, y)] = cb
			ycc.Cr[ycc.COffset(x, y)] = cr
			gray.Set(x, y, c)
			pal.Set(x, y, c)
			nrgba.Set(x, y, color.NRGBA{c.R, c.G, c.B, 128}) // alpha is ignored
			cmyk.Set(x, y, c)
			rgba64.Set(x, y, c)
		}
	}
	sub := image.NewRGBA(image.Rect(-5, 10, w+20, h+30))
	for y := range h {
		for x := range w {
			sub.SetRGBA(x+3, y+12, base.RGBAAt(x, y))
		}
	}
	inputs := map[string]image.Image{
		"YCbCr":                ycc,
		"Gray":                 gray,
		"Paletted":             pal,
		"NRGBA":                nrgba,
		"CMYK":                 cmyk,
		"RGBA64":               rgba64,
		"sub-image off origin": sub.SubImage(image.Rect(3, 12, 3+w, 12+h)),
	}
	for name, img := range inputs {
		t.Run(name, func(t *testing.T) {
			want, _ := refBlur(img)
			got, _, err := Blur(context.Background(), img, Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			assertSameRGBA(t, got, want)
		})
	}
}

func TestBlurRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
		o    Options
		want error
	}{
		{"nil image", nil, Options{}, ErrEmptyImage},
		{"empty image", image.NewRGBA(image.Rect(0, 0, 0, 5)), Options{}, ErrEmptyImage},
		{"negative threads", image.NewRGBA(image.Rect(0, 0, 2, 2)), Options{Threads: -1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Blur(context.Background(), tc.img, tc.o)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			_, _, err = Enhance(context.Background(), tc.img, tc.o)
			if err == nil {
				t.Fatal("enhance: no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("enhance: error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBlurStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Blur(ctx, randomRGBA(300, 300, 1), Options{Threads: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	_, _, err = Enhance(ctx, randomRGBA(300, 300, 1), Options{Threads: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("enhance: error %v, want context.Canceled", err)
	}
}

// TestBlurGolden compares the blur of airplane.jpg, before any encoding,
// with the original system's output (a JPEG of quality 0.75, so the
// comparison is by PSNR).
func TestBlurGolden(t *testing.T) {
	in := decodeSeedImage(t, "imageproc/inputs/airplane.jpg")
	want := decodeSeedImage(t, "imageproc/expected/airplane_blur.jpg")
	got, st, err := Blur(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := psnr(t, got, want)
	t.Logf("airplane blur: PSNR %.2f dB, %d units", p, st.Units)
	if p < 40 {
		t.Errorf("PSNR %.2f dB, want >= 40", p)
	}
}
