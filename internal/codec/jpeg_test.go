package codec

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samples returns the pixels of a decoded JPEG as IJG writes them: R,G,B per
// pixel for colour, one byte per pixel for grey.
func samples(t *testing.T, img image.Image) []byte {
	t.Helper()
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		out := make([]byte, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]...)
		}
		return out
	case *image.RGBA:
		out := make([]byte, 0, 3*b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				p := m.Pix[m.PixOffset(x, y):]
				out = append(out, p[0], p[1], p[2])
			}
		}
		return out
	}
	t.Fatalf("decoded %T, want *image.Gray or *image.RGBA", img)
	return nil
}

// ijgChecksums reads testdata/ijg-decoded.sha256: the SHA-256 of the samples
// libjpeg decodes from each listed JPEG, by path.
func ijgChecksums(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/ijg-decoded.sha256")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, path, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		sums[path] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

func assertIJGSamples(t *testing.T, img image.Image, want string) {
	t.Helper()
	sum := sha256.Sum256(samples(t, img))
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("samples hash %s, want libjpeg's %s", got, want)
	}
}

// TestIJGDecodeMatchesLibjpeg checks that every JPEG listed in
// testdata/ijg-decoded.sha256 decodes to exactly the samples libjpeg
// produces: the small test JPEGs (progressive with successive
// approximation, 4:2:2 with restarts, 4:4:4, grey, an image too narrow for
// fancy upsampling), the copies of the seed inputs and the original's two
// responses.
func TestIJGDecodeMatchesLibjpeg(t *testing.T) {
	sums := ijgChecksums(t)
	for path, want := range sums {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(path)))
			if err != nil {
				t.Fatal(err)
			}
			img, err := decodeIJG(data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			assertIJGSamples(t, img, want)
		})
	}
	if len(sums) != 17 {
		t.Fatalf("%d files, want 17", len(sums))
	}
}

// TestIJGDecodeCloseToGo decodes JPEGs of many sizes and subsamplings with
// both decoders: the IDCTs and upsamplers differ in rounding only, so the
// results must stay within a few levels of each other.
func TestIJGDecodeCloseToGo(t *testing.T) {
	sizes := [][2]int{{1, 1}, {2, 3}, {7, 5}, {8, 8}, {9, 17}, {16, 16}, {33, 31}, {100, 3}, {3, 100}}
	for _, sz := range sizes {
		for _, gray := range []bool{false, true} {
			var img image.Image
			if gray {
				g := image.NewGray(image.Rect(0, 0, sz[0], sz[1]))
				for i := range g.Pix {
					g.Pix[i] = uint8(i*29 + i/7)
				}
				img = g
			} else {
				// Smooth colours: on sharp chroma edges the decoders'
				// upsamplers (triangular here, nearest in Go) differ a lot.
				c := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
				for y := 0; y < sz[1]; y++ {
					for x := 0; x < sz[0]; x++ {
						c.SetRGBA(x, y, color.RGBA{uint8(60 + x), uint8(200 - y), uint8(100 + (x+y)/2), 0xff})
					}
				}
				img = c
			}
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
				t.Fatal(err)
			}
			ours, err := decodeIJG(buf.Bytes(), DefaultLimits())
			if err != nil {
				t.Fatalf("%v gray=%v: %v", sz, gray, err)
			}
			theirs, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if ours.Bounds() != theirs.Bounds() {
				t.Fatalf("%v: bounds %v, want %v", sz, ours.Bounds(), theirs.Bounds())
			}
			maxDiff := 0
			for y := 0; y < sz[1]; y++ {
				for x := 0; x < sz[0]; x++ {
					a := color.NRGBAModel.Convert(ours.At(x, y)).(color.NRGBA)
					b := color.NRGBAModel.Convert(theirs.At(x, y)).(color.NRGBA)
					for _, d := range []int{int(a.R) - int(b.R), int(a.G) - int(b.G), int(a.B) - int(b.B)} {
						maxDiff = max(maxDiff, d, -d)
					}
				}
			}
			if limit := map[bool]int{true: 2, false: 6}[gray]; maxDiff > limit {
				t.Errorf("%v gray=%v: differs from Go's decoder by up to %d levels", sz, gray, maxDiff)
			}
		}
	}
}

func TestIJGDecodeRejects(t *testing.T) {
	tiny := tinyImages(t)["jpeg"]
	sof := bytes.Index(tiny, []byte{0xff, 0xc0})
	arith := bytes.Clone(tiny)
	arith[sof+1] = 0xc9
	twelveBit := bytes.Clone(tiny)
	twelveBit[sof+4] = 12
	tests := []struct {
		name        string
		data        []byte
		unsupported bool
	}{
		{"arithmetic coding", arith, true},
		{"12-bit samples", twelveBit, true},
		{"no SOI", tiny[2:], false},
		{"only SOI", tiny[:2], false},
		{"cut inside a header", tiny[:sof+5], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeIJG(tc.data, DefaultLimits())
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, errJPEGUnsupported); got != tc.unsupported {
				t.Errorf("unsupported = %v, want %v (%v)", got, tc.unsupported, err)
			}
		})
	}
}

// FuzzDecodeIJG runs the IJG-compatible decoder without the recover that
// Decode wraps around it, so a panic is a failure.
func FuzzDecodeIJG(f *testing.F) {
	files, err := filepath.Glob("testdata/*.jpg")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed JPEGs: %v", err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxPixels: 1 << 16, MaxBytes: 1 << 20}
		img, err := decodeIJG(data, lim)
		if err != nil {
			return
		}
		b := img.Bounds()
		if b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx())*int64(b.Dy()) > lim.MaxPixels {
			t.Fatalf("decoded to %v, beyond the limit", b)
		}
	})
}
