package wire

import (
	"bytes"
	"image"
	"image/color"
	"runtime"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		name          string
		query, accept string
		native        string
		want          string // "" = data URL
	}{
		{"curl default", "", "*/*", "bmp", ""},
		{"no accept", "", "", "bmp", ""},
		{"image/*", "", "image/*", "bmp", "bmp"},
		{"browser accept", "", "image/avif,image/webp,image/*,*/*;q=0.8", "bmp", "bmp"},
		{"output=raw", "scols=8&output=raw", "", "bmp", "bmp"},
		{"output=RAW, png accepted", "output=RAW", "image/png", "jpg", "jpg"},
		{"output=dataurl wins over accept", "output=dataurl", "image/*", "png", ""},
		{"output=data-url", "output=data-url", "image/png", "png", ""},
		{"png asked", "", "image/png", "bmp", "png"},
		{"native among those named", "", "image/png, image/jpeg", "jpg", "jpg"},
		{"first supported named", "", "image/webp, image/gif, image/png", "bmp", "gif"},
		{"unsupported image type", "", "image/webp", "bmp", ""},
		{"refused with q=0", "", "image/*;q=0", "bmp", ""},
		{"malformed entries skipped", "", `image/png;q="0, image/gif`, "bmp", "gif"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Negotiate(tc.query, tc.accept, tc.native); got != tc.want {
				t.Errorf("Negotiate(%q, %q, %s) = %q, want %q", tc.query, tc.accept, tc.native, got, tc.want)
			}
		})
	}
}

// testImage is a 3×2 image with distinct grey-free pixels.
func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 21)
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	return img
}

// TestResponseRoundTrip: what EncodeResponse writes in either form,
// ReadResponse reads back as the encoded image in its format.
func TestResponseRoundTrip(t *testing.T) {
	img := testImage()
	for _, tc := range []struct {
		name        string
		native, raw string
		asked       string
		ctype       string
		format      string // what ReadResponse names
	}{
		{"ray tracer, data URL", "bmp", "", "bmp", "text/plain; charset=us-ascii", "bmp"},
		{"ray tracer, raw", "bmp", "bmp", "bmp", "image/bmp", "bmp"},
		{"ray tracer, png asked", "bmp", "png", "bmp", "image/png", "png"},
		{"jpg request, data URL", "jpg", "", "jpg", "text/plain; charset=us-ascii", "jpg"},
		{"jpg request, raw keeps its name", "jpg", "jpg", "JPG", "image/jpeg", "jpg"},
		{"gif request, raw", "gif", "gif", "gif", "image/gif", "gif"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype, err := EncodeResponse(img, tc.native, tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if ctype != tc.ctype {
				t.Errorf("Content-Type %q, want %q", ctype, tc.ctype)
			}
			if tc.raw == "" && !bytes.HasPrefix(body, []byte("data:image/"+tc.native+";base64,")) {
				t.Errorf("body starts %q, want the data URL of a %s", body[:min(len(body), 30)], tc.native)
			}
			format, file, err := ReadResponse(ctype, body, tc.asked)
			if err != nil {
				t.Fatal(err)
			}
			if format != tc.format {
				t.Errorf("format %q, want %q", format, tc.format)
			}
			var want bytes.Buffer
			if err := codec.Encode(&want, img, tc.format); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(file, want.Bytes()) {
				t.Errorf("image file of %d bytes, want the %d bytes of the encoded %s", len(file), want.Len(), tc.format)
			}
		})
	}
}

func TestReadResponse(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body, asked string
		format                   string
		err                      string // "" = no error; else in the message
	}{
		{"raw of the asked format", "image/jpeg", "\xff\xd8", "jpeg", "jpeg", ""},
		{"raw of another format", "image/png", "\x89PNG", "bmp", "png", ""},
		{"old bmp media type", "image/x-ms-bmp", "BM", "png", "bmp", ""},
		{"media type parameters", "IMAGE/GIF; q=1", "GIF8", "", "gif", ""},
		{"data URL without Content-Type", "", "data:image/PNG;base64,iVBORw0KGgo=", "png", "png", ""},
		{"wrapped data URL", "text/plain", "data:image/gif;base64,R0lG\nODlh\n", "gif", "gif", ""},
		{"an error text", "text/plain", "busy", "png", "", "neither an image nor a data URL"},
		{"not a supported format", "text/plain", "data:image/webp;base64,AAAA", "png", "", "unsupported image format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			format, img, err := ReadResponse(tc.ctype, []byte(tc.body), tc.asked)
			if wantError(t, err, tc.err) {
				return
			}
			if format != tc.format || len(img) == 0 {
				t.Errorf("format %q, %d bytes; want %q", format, len(img), tc.format)
			}
		})
	}
}

func TestErrorBodyAndMessage(t *testing.T) {
	for _, tc := range []struct {
		name, msg, body string
	}{
		{"one line", "missing query parameter", "missing query parameter\n"},
		{"lines joined", "bad\r\nscene\n", "bad; scene\n"},
		{"control characters", "a\x00b", "a b\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := ErrorBody(tc.msg)
			if string(body) != tc.body {
				t.Errorf("ErrorBody(%q) = %q, want %q", tc.msg, body, tc.body)
			}
			if got, want := ErrorMessage(body), strings.TrimSuffix(tc.body, "\n"); got != want {
				t.Errorf("ErrorMessage reads %q, want %q", got, want)
			}
		})
	}
	for body, want := range map[string]string{
		"":                       "",
		"busy\nsecond line":      "busy",
		"\n\n  first \r\nnext\n": "first",
	} {
		if got := ErrorMessage([]byte(body)); got != want {
			t.Errorf("ErrorMessage(%q) = %q, want %q", body, got, want)
		}
	}
}

// TestResponseMemoryBoundsEncodeResponse: what EncodeResponse allocates,
// in every format and both forms, is within ResponseMemory.
func TestResponseMemoryBoundsEncodeResponse(t *testing.T) {
	noisy := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for i := range noisy.Pix {
		noisy.Pix[i] = uint8(i * 7919 >> 3)
	}
	grey := image.NewGray(image.Rect(0, 0, 300, 200))
	copy(grey.Pix, noisy.Pix)
	tiny := image.NewRGBA(image.Rect(0, 0, 1, 1))
	for _, img := range []image.Image{noisy, grey, tiny} {
		for _, format := range []string{"bmp", "png", "jpg", "gif"} {
			for _, raw := range []string{"", format} {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				if _, _, err := EncodeResponse(img, format, raw); err != nil {
					t.Fatal(err)
				}
				runtime.ReadMemStats(&after)
				b := img.Bounds()
				if alloc, bound := int64(after.TotalAlloc-before.TotalAlloc), ResponseMemory(b.Dx(), b.Dy()); alloc > bound {
					t.Errorf("%T as %s (raw %q): %d bytes allocated, above ResponseMemory's %d", img, format, raw, alloc, bound)
				}
			}
		}
	}
}
