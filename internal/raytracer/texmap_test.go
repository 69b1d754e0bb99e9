package raytracer

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
)

// texmapEncoders encode a test texture in every format a texmap may have;
// tolerance is what the format's lossy coding allows per channel.
var texmapEncoders = []struct {
	name      string
	tolerance int
	encode    func(t testing.TB, img image.Image) []byte
}{
	{"bmp", 0, func(t testing.TB, img image.Image) []byte {
		var b bytes.Buffer
		if err := codec.EncodeBMP(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}},
	{"png", 0, func(t testing.TB, img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}},
	{"gif", 0, func(t testing.TB, img image.Image) []byte {
		var b bytes.Buffer
		if err := gif.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}},
	{"jpeg", 12, func(t testing.TB, img image.Image) []byte {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}},
}

// TestTexmapGreyAsTheOriginal checks that a grey texture holds what the
// original reads from it: Java's getRGB converts the linear grey samples of
// a one-component JPEG or a grey PNG to sRGB, so grey 128 is 188 (see
// codec.DecodeRGB), while a palette of greys is read as it is.
func TestTexmapGreyAsTheOriginal(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 8, 8))
	pal := image.NewPaletted(grey.Rect, color.Palette{color.Gray{Y: 128}})
	for i := range grey.Pix {
		grey.Pix[i] = 128
	}
	cases := []struct {
		name   string
		img    image.Image
		format string
		want   uint8
	}{
		{"grey jpeg", grey, "jpg", 188},
		{"grey png", grey, "png", 188},
		{"grey palette gif", pal, "gif", 128},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := codec.Encode(&b, c.img, c.format); err != nil {
				t.Fatal(err)
			}
			tex, err := decodeTexmap(b.Bytes(), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			got := tex.at(0.5, 0.5)
			if g := [3]uint8{to8(got.r), to8(got.g), to8(got.b)}; g != [3]uint8{c.want, c.want, c.want} {
				t.Errorf("texture colour %v, want grey %d", g, c.want)
			}
		})
	}
}

// wrapLoop is the original's texture coordinate loops, literally.
func wrapLoop(s float64) float64 {
	for s < 0 {
		s = 1.0 + s
	}
	for s >= 1 {
		s = s - 1.0
	}
	return s
}

func TestWrapUnitMatchesTheOriginalLoops(t *testing.T) {
	cases := []struct {
		name string
		s    float64
	}{
		{"zero", 0},
		{"negative zero", math.Copysign(0, -1)},
		{"inside", 0.25},
		{"one", 1},
		{"minus one", -1},
		{"tiny negative rounds to one then zero", -1e-20},
		{"just below zero", -math.SmallestNonzeroFloat64},
		{"just below one", math.Nextafter(1, 0)},
		{"negative integer", -7},
		{"positive integer", 7},
		{"negative", -2.3},
		{"positive", 5.75},
		{"large negative", -12345.678},
		{"large positive", 98765.4321},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, want := wrapUnit(c.s), wrapLoop(c.s); got != want {
				t.Errorf("wrapUnit(%v) = %v, want %v", c.s, got, want)
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		s := (rng.Float64()*2 - 1) * math.Pow(10, float64(rng.IntN(7)-3))
		if got, want := wrapUnit(s), wrapLoop(s); got != want {
			t.Fatalf("wrapUnit(%v) = %v, want %v", s, got, want)
		}
	}
}

func TestWrapUnitNeverLoopsForever(t *testing.T) {
	for _, s := range []float64{math.Inf(1), math.Inf(-1), 1e300, -1e300, 1 << 60, -(1 << 60)} {
		if got := wrapUnit(s); got != 0 {
			t.Errorf("wrapUnit(%v) = %v, want 0", s, got)
		}
	}
	if got := wrapUnit(math.NaN()); !math.IsNaN(got) {
		t.Errorf("wrapUnit(NaN) = %v, want NaN as the original (which then reads pixel 0)", got)
	}
}

// decodeTexmap checks a texture's header and decodes it as a scene with a
// texmap pigment does.
func decodeTexmap(b []byte, lim Limits) (*texture, error) {
	tex, err := headerOf(b).texture(lim)
	if err != nil {
		return nil, err
	}
	if err := (&Scene{tex: tex}).DecodeTexture(b); err != nil {
		return nil, err
	}
	return tex, nil
}
