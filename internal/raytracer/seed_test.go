package raytracer

import (
	"bytes"
	"image"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/testutil"
)

func seedBMP(tb testing.TB, rel string) ([]byte, image.Image) {
	tb.Helper()
	raw := testutil.SeedFile(tb, rel)
	img, err := bmp.Decode(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("decoding %s: %v", rel, err)
	}
	return raw, img
}

func seedScene(tb testing.TB, name string, texmap string) *Scene {
	tb.Helper()
	var tm []byte
	if texmap != "" {
		tm = testutil.SeedFile(tb, "raytracer/textures/"+texmap)
	}
	s, err := ParseScene(testutil.SeedFile(tb, "raytracer/scenes/"+name), tm, DefaultLimits())
	if err != nil {
		tb.Fatalf("parsing %s: %v", name, err)
	}
	return s
}
