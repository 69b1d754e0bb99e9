package wire

import (
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/testutil"
)

func TestImageBody(t *testing.T) {
	img := testutil.PNG(t, 3, 2)
	b, err := ImageBody(" PNG ", img)
	if err != nil {
		t.Fatal(err)
	}
	if want := dataurl.String("png", img); string(b) != want {
		t.Errorf("body %.40q…, want %.40q…", b, want)
	}
	format, data, err := dataurl.Parse(b)
	if err != nil || format != "png" || string(data) != string(img) {
		t.Errorf("the body reads back as %q, %d bytes, %v", format, len(data), err)
	}
	for _, bad := range []string{"", "  ", "png;x", "image/png", "a b", "png,"} {
		if _, err := ImageBody(bad, img); err == nil || !strings.Contains(err.Error(), "want a name such as jpg") {
			t.Errorf("format %q: error %v, want one saying what a format name is", bad, err)
		}
	}
}

func TestDecodeImagePixels(t *testing.T) {
	img, err := DecodeImage(testutil.PNG(t, 7, 5), DefaultLimits())
	if err != nil || img.Bounds().Dx() != 7 || img.Bounds().Dy() != 5 {
		t.Fatalf("image %v, %v; want 7x5", img, err)
	}
	small := DefaultLimits()
	small.Image.MaxPixels = 10
	for _, tc := range []struct {
		name   string
		data   []byte
		lim    Limits
		status int
	}{
		{"not an image", []byte("plain text, not an image"), DefaultLimits(), 400},
		{"above the pixel limit", testutil.PNG(t, 7, 5), small, 413},
		{"truncated", testutil.PNG(t, 7, 5)[:40], DefaultLimits(), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeImage(tc.data, tc.lim)
			if StatusOf(err) != tc.status || !strings.HasPrefix(err.Error(), "decoding the image: ") {
				t.Errorf("error %v (status %d), want a %d starting \"decoding the image: \"", err, StatusOf(err), tc.status)
			}
		})
	}
}
