package codec

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// pixBytes is the size of the pixel buffer of a decoded image.
func pixBytes(t *testing.T, img image.Image) int64 {
	t.Helper()
	switch m := img.(type) {
	case *image.RGBA:
		return int64(len(m.Pix))
	case *image.NRGBA:
		return int64(len(m.Pix))
	case *image.RGBA64:
		return int64(len(m.Pix))
	case *image.NRGBA64:
		return int64(len(m.Pix))
	case *image.Gray:
		return int64(len(m.Pix))
	case *image.Gray16:
		return int64(len(m.Pix))
	case *image.Paletted:
		return int64(len(m.Pix))
	case *image.YCbCr:
		return int64(len(m.Y) + len(m.Cb) + len(m.Cr))
	}
	t.Fatalf("unexpected image type %T", img)
	return 0
}

// TestDecodeBytesCoversThePixels: the estimate is at least the pixels
// Decode returns, and DecodeRGBBytes at least those plus DecodeRGB's.
func TestDecodeBytesCoversThePixels(t *testing.T) {
	encode := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	images := map[string][]byte{
		"grey png":    encode(image.NewGray(image.Rect(0, 0, 7, 5))),
		"grey16 png":  encode(image.NewGray16(image.Rect(0, 0, 7, 5))),
		"rgba64 png":  encode(image.NewRGBA64(image.Rect(0, 0, 7, 5))),
		"nrgba64 png": encode(image.NewNRGBA64(image.Rect(0, 0, 7, 5))),
		"nrgba png":   encode(image.NewNRGBA(image.Rect(0, 0, 7, 5))),
		"paletted png": encode(image.NewPaletted(image.Rect(0, 0, 7, 5),
			color.Palette{color.Black, color.White})),
	}
	for f, data := range tinyImages(t) {
		images["tiny "+f] = data
	}
	for name, data := range images {
		t.Run(name, func(t *testing.T) {
			cfg, format, err := DecodeConfig(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			img, _, err := Decode(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			px := int64(cfg.Width * cfg.Height)
			got, pix := DecodeBytes(cfg, format), pixBytes(t, img)
			if got < pix || got > 16*px {
				t.Errorf("DecodeBytes %d for %T of %d pixel bytes (%d pixels)", got, img, pix, px)
			}
			if rgb := DecodeRGBBytes(cfg, format); rgb < got+4*px {
				t.Errorf("DecodeRGBBytes %d, want at least %d", rgb, got+4*px)
			}
		})
	}
}
