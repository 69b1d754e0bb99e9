package dataurl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDecodeSeedImages decodes every seed image through Decode; JPEG samples
// must equal libjpeg's exactly.
func TestDecodeSeedImages(t *testing.T) {
	files, err := filepath.Glob(testutil.SeedPath(t, "imageproc/inputs") + "/*")
	if err != nil {
		t.Fatal(err)
	}
	bmps, err := filepath.Glob(testutil.SeedPath(t, "webserver-sample-bmps") + "/*.bmp")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		format string
		w, h   int
	}{
		"airplane.jpg": {"jpeg", 960, 686}, "bird.jpg": {"jpeg", 960, 637}, "cat.jpg": {"jpeg", 960, 639},
		"dark.png": {"png", 640, 480}, "dog.jpg": {"jpeg", 740, 493}, "dull.jpg": {"jpeg", 640, 480},
		"frog.jpg": {"jpeg", 960, 720}, "horse.jpg": {"jpeg", 960, 641}, "kodim17.jpg": {"jpeg", 512, 768},
		"ship.jpg": {"jpeg", 960, 638}, "truck.jpg": {"jpeg", 960, 678},
		"land3_640x480.bmp": {"bmp", 640, 480}, "land_1024x768.bmp": {"bmp", 1024, 768},
		"sample_640x426.bmp": {"bmp", 640, 426},
	}
	all := append(files, bmps...)
	if len(all) != len(want) {
		t.Fatalf("found %d seed images, want %d", len(all), len(want))
	}
	sums := ijgChecksums(t)
	for _, path := range all {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data := readSeedPath(t, path)
			img, format, err := Decode(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			w := want[name]
			if format != w.format || img.Bounds().Dx() != w.w || img.Bounds().Dy() != w.h {
				t.Errorf("%s %v, want %s %dx%d", format, img.Bounds(), w.format, w.w, w.h)
			}
			// JPEGs decode exactly as libjpeg (and so ImageIO) decodes them.
			if sum, ok := sums["inputs/"+name]; ok {
				assertIJGSamples(t, img, sum)
			} else if format == "jpeg" {
				t.Errorf("no libjpeg checksum for %s", name)
			}
		})
	}
}

func readSeedPath(t *testing.T, path string) []byte {
	t.Helper()
	rel, err := filepath.Rel(testutil.SeedPath(t, "."), path)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.SeedFile(t, rel)
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

func TestContentTypeAndFormatFromPath(t *testing.T) {
	tests := []struct {
		path, format, contentType string
	}{
		{"a/b/out.jpg", "jpg", "image/jpeg"},
		{"OUT.JPEG", "jpeg", "image/jpeg"},
		{"x.png", "png", "image/png"},
		{"x.Bmp", "bmp", "image/bmp"},
		{"x.gif", "gif", "image/gif"},
	}
	for _, tc := range tests {
		f, err := FormatFromPath(tc.path)
		if err != nil || f != tc.format {
			t.Errorf("FormatFromPath(%q) = %q, %v; want %q", tc.path, f, err, tc.format)
		}
		if ct := ContentType(f); ct != tc.contentType {
			t.Errorf("ContentType(%q) = %q, want %q", f, ct, tc.contentType)
		}
	}
	for _, p := range []string{"x.webp", "noext", "dir.png/file"} {
		if _, err := FormatFromPath(p); !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("FormatFromPath(%q): %v, want ErrUnsupportedFormat", p, err)
		}
	}
	if ct := ContentType("tiff"); ct != "application/octet-stream" {
		t.Errorf("ContentType(tiff) = %q", ct)
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
	})
}
