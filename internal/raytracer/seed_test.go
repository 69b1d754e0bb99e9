package raytracer

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/image/bmp"
)

var seedDir = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
	seed := filepath.Join(dir, "..", "shared", "seed-data")
	if _, err := os.Stat(seed); err != nil {
		return "", err
	}
	return seed, nil
})

// seedFile reads a file of the seed data (../shared/seed-data from the
// repository root).
func seedFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	dir, err := seedDir()
	if err != nil {
		tb.Fatalf("seed data not found at <repo>/../shared/seed-data: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		tb.Fatalf("reading seed data: %v", err)
	}
	return b
}

func seedBMP(tb testing.TB, rel string) ([]byte, image.Image) {
	tb.Helper()
	raw := seedFile(tb, rel)
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
		tm = seedFile(tb, "raytracer/textures/"+texmap)
	}
	s, err := ParseScene(seedFile(tb, "raytracer/scenes/"+name), tm, DefaultLimits())
	if err != nil {
		tb.Fatalf("parsing %s: %v", name, err)
	}
	return s
}
