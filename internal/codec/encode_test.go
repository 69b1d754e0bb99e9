package codec

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	rgb := image.NewRGBA(image.Rect(0, 0, 17, 9))
	gray := image.NewGray(image.Rect(0, 0, 17, 9))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 13)
	}
	for i := range rgb.Pix {
		rgb.Pix[i] = uint8(i * 7)
		if i%4 == 3 {
			rgb.Pix[i] = 0xff
		}
	}
	tests := []struct {
		name   string
		img    image.Image
		format string
		check  func(t *testing.T, data []byte)
	}{
		{"png is lossless", rgb, "png", func(t *testing.T, data []byte) {
			m, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			assertSamePixels(t, m, rgb)
		}},
		{"bmp is lossless", rgb, "BMP", func(t *testing.T, data []byte) {
			m, _, err := Decode(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			assertSamePixels(t, m, rgb)
		}},
		{"grey jpeg has one component", gray, "jpg", func(t *testing.T, data []byte) {
			m, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := m.(*image.Gray); !ok {
				t.Fatalf("decoded %T, want *image.Gray", m)
			}
			sof := bytes.Index(data, []byte{0xff, 0xc0})
			if sof < 0 || data[sof+9] != 1 {
				t.Fatalf("frame header does not declare one component")
			}
		}},
		{"colour jpeg", rgb, "jpeg", func(t *testing.T, data []byte) {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width != 17 {
				t.Fatalf("%v %v", cfg, err)
			}
		}},
		{"grey gif is lossless", gray, "gif", func(t *testing.T, data []byte) {
			m, err := gif.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			assertSamePixels(t, m, gray)
		}},
		{"colour gif", rgb, "gif", func(t *testing.T, data []byte) {
			if _, err := gif.Decode(bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, tc.img, tc.format); err != nil {
				t.Fatal(err)
			}
			tc.check(t, buf.Bytes())
		})
	}
	err := Encode(&bytes.Buffer{}, rgb, "webp")
	if !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), "jpg, jpeg, png, bmp, gif") {
		t.Errorf("webp: %v", err)
	}
}

func assertSamePixels(t *testing.T, got, want image.Image) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.NRGBAModel.Convert(got.At(x, y))
			w := color.NRGBAModel.Convert(want.At(x, y))
			if g != w {
				t.Fatalf("(%d,%d) = %v, want %v", x, y, g, w)
			}
		}
	}
}
