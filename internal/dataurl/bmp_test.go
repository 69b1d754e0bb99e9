package dataurl

import (
	"bytes"
	"testing"

	"golang.org/x/image/bmp"
)

func TestBMPRoundTripGolden(t *testing.T) {
	raw := readSeed(t, "raytracer/reference-renders/result.bmp")
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
