package seedcheck

import (
	"bytes"
	"flag"
	"image/png"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite every seed copy from the seed data")

// copyPath is where c lives, from the repository root.
func (c seedCopy) copyPath() string {
	rel := c.seed
	if c.png {
		rel = strings.TrimSuffix(rel, ".bmp") + ".png"
	}
	return filepath.Join(c.pkg, filepath.FromSlash(testutil.SeedCopyDir), filepath.FromSlash(rel))
}

// TestSeedCopies checks every copy against its original: the same bytes,
// or for a PNG, pixels that codec.EncodeBMP writes back as the original BMP
// byte for byte. With -update it writes the copies first.
func TestSeedCopies(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range copies {
		t.Run(c.copyPath(), func(t *testing.T) {
			orig := testutil.SeedFile(t, c.seed)
			p := filepath.Join(root, c.copyPath())
			if *update {
				writeCopy(t, p, c, orig)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("%v (go test ./internal/seedcheck -update writes it)", err)
			}
			if !c.png {
				if !bytes.Equal(got, orig) {
					t.Fatalf("differs from %s: %d bytes, want %d", c.seed, len(got), len(orig))
				}
				return
			}
			img, err := png.Decode(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			var bmp bytes.Buffer
			if err := codec.EncodeBMP(&bmp, img); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bmp.Bytes(), orig) {
				want, _, err := codec.Decode(orig, codec.DefaultLimits())
				if err != nil {
					t.Fatalf("as a BMP it differs from %s, which does not decode: %v", c.seed, err)
				}
				t.Fatalf("as a BMP it differs from %s; pixels: %v", c.seed, testutil.ImagesEqual(img, want))
			}
		})
	}
}

// writeCopy writes c's copy of the seed file orig to p.
func writeCopy(t *testing.T, p string, c seedCopy, orig []byte) {
	t.Helper()
	data := orig
	if c.png {
		img, format, err := codec.Decode(orig, codec.DefaultLimits())
		if err != nil || format != "bmp" {
			t.Fatalf("%s: %s, %v; want a BMP", c.seed, format, err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		data = buf.Bytes()
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEveryCopyIsListed fails for a file under a package's testdata/seed
// that copies does not list, whose likeness to the seed data nothing would
// check.
func TestEveryCopyIsListed(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, c := range copies {
		listed[filepath.ToSlash(c.copyPath())] = true
	}
	found := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() || !strings.Contains("/"+rel, "/"+testutil.SeedCopyDir+"/") {
			return nil
		}
		found++
		if !listed[rel] {
			t.Errorf("%s is not listed in copies (copies_test.go), so nothing checks it against the seed data", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != len(copies) {
		t.Errorf("found %d copies, want the %d listed", found, len(copies))
	}
}

// TestSeedImagesDecode decodes, through codec.Decode, the seed images that
// no unit test keeps a copy of, and requires every other seed image to have
// one (codec's tests decode those).
func TestSeedImagesDecode(t *testing.T) {
	uncopied := map[string]struct {
		format string
		w, h   int
	}{
		"imageproc/inputs/dark.png":                {"png", 640, 480},
		"webserver-sample-bmps/land3_640x480.bmp":  {"bmp", 640, 480},
		"webserver-sample-bmps/land_1024x768.bmp":  {"bmp", 1024, 768},
		"webserver-sample-bmps/sample_640x426.bmp": {"bmp", 640, 426},
	}
	copied := map[string]bool{}
	for _, c := range copies {
		if c.pkg == "internal/codec" {
			copied[c.seed] = true
		}
	}
	for _, dir := range []string{"imageproc/inputs", "imageproc/expected", "webserver-sample-bmps"} {
		entries, err := os.ReadDir(testutil.SeedPath(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			rel := path.Join(dir, e.Name())
			w, ok := uncopied[rel]
			if !ok {
				if !copied[rel] {
					t.Errorf("%s: neither copied for internal/codec's tests nor decoded here", rel)
				}
				continue
			}
			t.Run(rel, func(t *testing.T) {
				img, format, err := codec.Decode(testutil.SeedFile(t, rel), codec.DefaultLimits())
				if err != nil {
					t.Fatal(err)
				}
				if format != w.format || img.Bounds().Dx() != w.w || img.Bounds().Dy() != w.h {
					t.Errorf("%s %v, want %+v", format, img.Bounds(), w)
				}
			})
			delete(uncopied, rel)
		}
	}
	for rel := range uncopied {
		t.Errorf("%s is missing from the seed data", rel)
	}
}
