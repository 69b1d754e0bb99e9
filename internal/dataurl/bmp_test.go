package dataurl

import (
	"bytes"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/testutil"
)

func TestBMPRoundTripGolden(t *testing.T) {
	raw := testutil.SeedFile(t, "raytracer/reference-renders/result.bmp")
	img, err := bmp.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := EncodeBMP(&buf, img); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Fatal("re-encoded BMP differs from the original's bytes")
	}
}
