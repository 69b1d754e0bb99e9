package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"path"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDecodeSeedImages decodes the copies of the seed images through
// Decode; JPEG samples must equal libjpeg's exactly.
func TestDecodeSeedImages(t *testing.T) {
	want := map[string]struct {
		format string
		w, h   int
	}{
		"imageproc/inputs/airplane.jpg": {"jpeg", 960, 686}, "imageproc/inputs/bird.jpg": {"jpeg", 960, 637},
		"imageproc/inputs/cat.jpg": {"jpeg", 960, 639}, "imageproc/inputs/dog.jpg": {"jpeg", 740, 493},
		"imageproc/inputs/dull.jpg": {"jpeg", 640, 480}, "imageproc/inputs/frog.jpg": {"jpeg", 960, 720},
		"imageproc/inputs/horse.jpg": {"jpeg", 960, 641}, "imageproc/inputs/kodim17.jpg": {"jpeg", 512, 768},
		"imageproc/inputs/ship.jpg": {"jpeg", 960, 638}, "imageproc/inputs/truck.jpg": {"jpeg", 960, 678},
		"imageproc/expected/airplane_blur.jpg": {"jpeg", 960, 686}, "imageproc/expected/dull_enhance.jpg": {"jpeg", 640, 480},
		"raytracer/generated-goldens/test03_64x48_aa.bmp": {"bmp", 64, 48},
	}
	sums := ijgChecksums(t)
	for rel, w := range want {
		t.Run(rel, func(t *testing.T) {
			img, format, err := Decode(testutil.SeedCopy(t, rel), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if format != w.format || img.Bounds().Dx() != w.w || img.Bounds().Dy() != w.h {
				t.Errorf("%s %v, want %s %dx%d", format, img.Bounds(), w.format, w.w, w.h)
			}
			// JPEGs decode exactly as libjpeg (and so ImageIO) decodes them.
			if sum, ok := sums[path.Join("seed", rel)]; ok {
				assertIJGSamples(t, img, sum)
			} else if format == "jpeg" {
				t.Errorf("no libjpeg checksum for %s", rel)
			}
		})
	}
}

// tinyImages returns small encoded images in every supported format.
func tinyImages(t testing.TB) map[string][]byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 5, 3))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
	}
	out := map[string][]byte{}
	for _, f := range []string{"jpeg", "png", "bmp", "gif"} {
		var buf bytes.Buffer
		if err := Encode(&buf, img, f); err != nil {
			t.Fatal(err)
		}
		out[f] = buf.Bytes()
	}
	return out
}

func TestDecodeLimits(t *testing.T) {
	tiny := tinyImages(t)
	// A PNG header that claims 100000×100000 pixels, with no pixel data.
	bomb := pngHeader(100000, 100000)
	tests := []struct {
		name     string
		data     []byte
		lim      Limits
		sentinel error
		mention  string
	}{
		{"too many pixels in the header", bomb, DefaultLimits(), ErrTooLarge, "100000x100000"},
		{"just over a small pixel limit", tiny["png"], Limits{MaxPixels: 14}, ErrTooLarge, "5x3"},
		{"too many bytes", tiny["bmp"], Limits{MaxBytes: 10}, ErrTooLarge, "bytes"},
		{"empty", nil, DefaultLimits(), ErrNotImage, "no data"},
		{"text", []byte("hello, this is not an image"), DefaultLimits(), ErrNotImage, "unknown signature"},
		{"webp", append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 20)...), DefaultLimits(), ErrNotImage, "want JPEG, PNG, BMP or GIF"},
		{"truncated jpeg", tiny["jpeg"][:len(tiny["jpeg"])/2], DefaultLimits(), ErrNotImage, "corrupt jpeg"},
		{"truncated png", tiny["png"][:40], DefaultLimits(), ErrNotImage, "corrupt png"},
		{"truncated bmp", tiny["bmp"][:60], DefaultLimits(), ErrNotImage, "corrupt bmp"},
		{"truncated gif", tiny["gif"][:20], DefaultLimits(), ErrNotImage, "corrupt gif"},
		{"zero-sized png", pngHeader(0, 7), DefaultLimits(), ErrNotImage, ""},
		{"jpeg with too many scans", manyScans(tiny["jpeg"], maxJPEGScans+1), DefaultLimits(), ErrNotImage, "scans"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, _, err := Decode(tc.data, tc.lim)
			if err == nil {
				t.Fatalf("decoded %v", img.Bounds())
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
	// The limits are inclusive.
	if _, _, err := Decode(tiny["png"], Limits{MaxPixels: 15, MaxBytes: int64(len(tiny["png"]))}); err != nil {
		t.Errorf("image exactly at the limits: %v", err)
	}
}

// pngHeader returns the signature and IHDR chunk of an 8-bit RGB PNG.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32IEEE(chunk))
	return b.Bytes()
}

// manyScans inserts n empty scan headers after the frame header of a JPEG.
func manyScans(j []byte, n int) []byte {
	sof := bytes.Index(j, []byte{0xff, 0xc0})
	end := sof + 2 + int(j[sof+2])<<8 | int(j[sof+3])
	sos := []byte{0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00}
	out := append([]byte{}, j[:end]...)
	for range n {
		out = append(out, sos...)
	}
	return append(out, j[end:]...)
}

func TestDecodeConfigMatchesDecode(t *testing.T) {
	for format, data := range tinyImages(t) {
		cfg, f, err := DecodeConfig(data, DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if f != format || cfg.Width != 5 || cfg.Height != 3 {
			t.Errorf("%s: %s %dx%d, want %s 5x3", format, f, cfg.Width, cfg.Height, format)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, data := range tinyImages(f) {
		f.Add(data)
	}
	f.Add(pngHeader(3, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxPixels: 1 << 16, MaxBytes: 1 << 20}
		img, format, err := Decode(data, lim)
		if err != nil {
			if !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		b := img.Bounds()
		if b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx())*int64(b.Dy()) > lim.MaxPixels {
			t.Fatalf("%s decoded to %v, beyond the limit", format, b)
		}
		// And DecodeRGB's conversion of whatever Decode returns.
		rgb := javaRGB(img, linearGrey(format, data))
		if rgb.Rect != image.Rect(0, 0, b.Dx(), b.Dy()) || !rgb.Opaque() {
			t.Fatalf("%s: DecodeRGB gives %v (opaque %v) for %v", format, rgb.Rect, rgb.Opaque(), b)
		}
	})
}
