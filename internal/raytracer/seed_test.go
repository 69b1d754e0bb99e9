package raytracer

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// Textures of the seed data, as paths of the package's copies (see
// testutil.SeedCopy): the original's own texture (kept as a PNG of the
// seed's BMP) and a JPEG photograph.
const (
	texTestTexmap = "raytracer/textures/test-texmap.png"
	texCat        = "imageproc/inputs/cat.jpg"
)

// seedGolden decodes the package's copy of a render of the original: rel is
// its path in the seed data's raytracer/ directory, with the PNG the copy
// is kept as in place of the BMP.
func seedGolden(tb testing.TB, rel string) image.Image {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(testutil.SeedCopy(tb, path.Join("raytracer", rel))))
	if err != nil {
		tb.Fatalf("decoding %s: %v", rel, err)
	}
	return img
}

// seedScene parses the package's copy of a seed scene with the texture at
// the copy path texmap ("" for none).
func seedScene(tb testing.TB, name string, texmap string) *Scene {
	tb.Helper()
	var tm []byte
	if texmap != "" {
		tm = testutil.SeedCopy(tb, texmap)
	}
	s, err := ParseScene(testutil.SeedCopy(tb, "raytracer/scenes/"+name), tm, DefaultLimits())
	if err != nil {
		tb.Fatalf("parsing %s: %v", name, err)
	}
	return s
}

// seedScenes returns the text of every seed scene the package keeps.
func seedScenes(tb testing.TB) [][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(testutil.SeedCopyDir, "raytracer", "scenes", "*.txt"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no seed scenes: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
