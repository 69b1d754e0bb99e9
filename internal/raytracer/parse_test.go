package raytracer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/testutil"
)

const tinyScene = `0 0 0
0 0 -1
0 1 0
30
2
0 0 0  .2 .2 .2  1 0 0
10 10 10  1 1 1  1 0 0
1
solid 1 0 0
1
.4 .6 0 1 0 0 0
1
0 0 sphere 0 0 -10 2
`

func TestParseSceneSeedInfo(t *testing.T) {
	cases := []struct {
		name, scene, texmap string
		want                SceneInfo
	}{
		{"test01", "test01.txt", "", SceneInfo{Shapes: 4, Lights: 3}},
		{"test02", "test02.txt", "", SceneInfo{Shapes: 5, Lights: 3}},
		{"test03", "test03.txt", "", SceneInfo{Shapes: 2, Lights: 4}},
		{"test04", "test04.txt", "", SceneInfo{Shapes: 12, Lights: 4, Reflective: 11}},
		{"test05", "test05.txt", "", SceneInfo{Shapes: 5, Lights: 3, Reflective: 2, Transparent: 1}},
		{"texmap", "test-texmap.txt", texTestTexmap, SceneInfo{Shapes: 12, Lights: 3, Reflective: 11, TexmapWidth: 800, TexmapHeight: 450}},
		{"wood (with test-texmap's texture)", "wood.txt", texTestTexmap, SceneInfo{Shapes: 5, Lights: 3, Reflective: 2, Transparent: 1, TexmapWidth: 800, TexmapHeight: 450}},
		{"test04 ignores an unused texmap", "test04.txt", texTestTexmap, SceneInfo{Shapes: 12, Lights: 4, Reflective: 11}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := seedScene(t, c.scene, c.texmap)
			if got := s.Info(); got != c.want {
				t.Errorf("Info() = %+v, want %+v", got, c.want)
			}
			src := testutil.SeedCopy(t, "raytracer/scenes/"+c.scene)
			var tex []byte
			if c.texmap != "" {
				tex = testutil.SeedCopy(t, c.texmap)
			}
			assertHeaderParseAgrees(t, src, tex, DefaultLimits(), s, nil)
		})
	}
}

func TestParseSceneShapes(t *testing.T) {
	// Ignored shapes are read (with all their numbers) but never hit.
	src := strings.Replace(tinyScene, "1\n0 0 sphere 0 0 -10 2\n", `9
0 0 sphere 0 0 -10 2
0 0 plane 0 1 0 5
0 0 triangle 0 0 -5  1 0 -5  0 1 -5
0 0 cylinder 0 0 0  0 1 0  1
0 0 cone 0 0 0  0 1 0  1
0 0 disc 0 0 0  0 1 0  1
0 0 polyhedron 2  1 0 0 1  0 1 0 1
0 0 parallelogram 0 0 0  1 0 0  0 1 0
0 0 bezier `+strings.Repeat("1 2 3 ", 16)+`
trailing tokens are ignored
`, 1)
	s, err := ParseScene([]byte(src), nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Info().Shapes; got != 3 {
		t.Errorf("hittable shapes = %d, want 3", got)
	}
}

func TestParseSceneNumbers(t *testing.T) {
	// Scanner-style numbers: signs, leading/trailing dots, exponents,
	// grouping commas, CRLF and tabs as separators.
	src := "+0\t-0 0.\r\n0 0 -1e0\r\n0 1. 0\r\n3.0E1\r\n1\r\n0 0 0 .2 .2 .2 1 0 0\r\n1 solid 1 0 0\r\n1 .4 .6 0 1,000 0 0 0\r\n+1 0 0 sphere 0 0 -10 2"
	s, err := ParseScene([]byte(src), nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if s.fovy != 30 || s.center.z != -1 || s.up.y != 1 {
		t.Errorf("parsed fovy %v, centre %v, up %v", s.fovy, s.center, s.up)
	}
	if s.shapes[0].fin.shiny != 1000 {
		t.Errorf("grouped number 1,000 parsed as %v", s.shapes[0].fin.shiny)
	}
}

func TestParseSceneErrors(t *testing.T) {
	lim := DefaultLimits()
	replace := func(old, new string) string {
		if !strings.Contains(tinyScene, old) {
			t.Fatalf("tinyScene has no %q", old)
		}
		return strings.Replace(tinyScene, old, new, 1)
	}
	cases := []struct {
		name   string
		src    string
		texmap []byte
		lim    *Limits
		is     []error
		msg    string // substring of the error
	}{
		{"empty", "", nil, nil, []error{ErrScene}, "scene line 1: unexpected end of scene, expected eye x"},
		{"truncated", tinyScene[:len(tinyScene)-6], nil, nil, []error{ErrScene}, "scene line 13: unexpected end of scene, expected shape 0 centre z"},
		{"non-numeric", replace("30\n", "thirty\n"), nil, nil, []error{ErrScene}, `scene line 4, token "thirty": fovy: not a finite number`},
		{"nan", replace("30\n", "NaN\n"), nil, nil, []error{ErrScene}, `token "NaN": fovy: not a finite number`},
		{"infinity", replace("30\n", "Infinity\n"), nil, nil, []error{ErrScene}, `token "Infinity": fovy: not a finite number`},
		{"overflow", replace("30\n", "1e999\n"), nil, nil, []error{ErrScene}, `token "1e999"`},
		{"float overflow", replace(".4 .6 0 1", ".4 .6 0 1e39"), nil, nil, []error{ErrScene}, `finish 0 shiny: not a finite number`},
		{"hex", replace("30\n", "0x1p4\n"), nil, nil, []error{ErrScene}, `token "0x1p4"`},
		{"bad grouping", replace("30\n", "3,0\n"), nil, nil, []error{ErrScene}, `token "3,0"`},
		{"count not integer", replace("2\n0 0 0", "2.0\n0 0 0"), nil, nil, []error{ErrScene}, `token "2.0": number of lights: not an integer`},
		{"count too big for int", replace("2\n0 0 0", "3000000000\n0 0 0"), nil, nil, []error{ErrScene}, "not a 32-bit integer"},
		{"zero lights", replace("2\n0 0 0  .2 .2 .2  1 0 0\n10 10 10  1 1 1  1 0 0\n", "0\n"), nil, nil, []error{ErrScene}, "at least one light"},
		{"negative lights", replace("2\n0 0 0", "-2\n0 0 0"), nil, nil, []error{ErrScene}, "number of lights: negative count"},
		{"negative shapes", replace("1\n0 0 sphere", "-1\n0 0 sphere"), nil, nil, []error{ErrScene}, "number of shapes: negative count"},
		{"too many lights", replace("2\n0 0 0", "1001\n0 0 0"), nil, nil, []error{ErrScene, ErrLimit}, "above the limit of 1000"},
		{"too many shapes", replace("1\n0 0 sphere", "10001\n0 0 sphere"), nil, nil, []error{ErrScene, ErrLimit}, "number of shapes: 10001 is above the limit of 10000"},
		{"huge count without data", replace("1\nsolid", "1000000000\nsolid"), nil, nil, []error{ErrScene}, `scene line 10, token "1": unrecognized pigment`},
		{"scene too big", tinyScene, nil, &Limits{MaxSceneBytes: 10}, []error{ErrScene, ErrLimit}, "above the limit of 10"},
		{"unknown pigment", replace("solid", "plaid"), nil, nil, []error{ErrScene}, `scene line 9, token "plaid": unrecognized pigment`},
		{"unknown shape", replace("sphere", "sphre"), nil, nil, []error{ErrScene}, `scene line 13, token "sphre": unrecognized shape`},
		{"pigment index", replace("0 0 sphere", "1 0 sphere"), nil, nil, []error{ErrScene}, `token "1": shape 0: pigment index out of range (the scene has 1 pigments)`},
		{"negative pigment index", replace("0 0 sphere", "-1 0 sphere"), nil, nil, []error{ErrScene}, "pigment index out of range"},
		{"finish index", replace("0 0 sphere", "0 7 sphere"), nil, nil, []error{ErrScene}, `token "7": shape 0: finish index out of range`},
		{"negative polyhedron faces", replace("0 0 sphere 0 0 -10 2", "0 0 polyhedron -1"), nil, nil, []error{ErrScene}, "number of faces: negative count"},
		{"texmap missing", replace("solid 1 0 0", "texmap t.bmp 0 0 0 0 0 0 0 0"), nil, nil, []error{ErrScene, ErrNeedsTexmap},
			"scene needs a texmap: pigment 0 is texmap but the request has none"},
		{"texmap undecodable", replace("solid 1 0 0", "texmap t.bmp 0 0 0 0 0 0 0 0"), []byte("not an image"), nil, []error{ErrTexmap, codec.ErrNotImage}, "reading image header"},
		{"texmap truncated", replace("solid 1 0 0", "texmap t.bmp 0 0 0 0 0 0 0 0"), truncatedPNG(t), nil, []error{ErrTexmap, codec.ErrNotImage}, "decoding png image"},
		{"texmap bomb", replace("solid 1 0 0", "texmap t.bmp 0 0 0 0 0 0 0 0"), pngHeader(t, 100_000, 100_000), nil, []error{ErrTexmap, ErrLimit},
			"100000x100000 = 10000000000 pixels, above the limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := lim
			if c.lim != nil {
				l = *c.lim
			}
			s, err := ParseScene([]byte(c.src), c.texmap, l)
			if err == nil {
				t.Fatalf("ParseScene succeeded (%+v), want an error", s.Info())
			}
			assertHeaderParseAgrees(t, []byte(c.src), c.texmap, l, s, err)
			for _, target := range c.is {
				if !errors.Is(err, target) {
					t.Errorf("error %q is not %v", err, target)
				}
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not contain %q", err, c.msg)
			}
		})
	}
}

// truncatedPNG is a 64x64 PNG cut short after its header.
func truncatedPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()[:40]
}

// pngHeader is a PNG whose header declares a w x h image, with no pixels.
func pngHeader(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// The IHDR chunk's type is at byte 12, its data (width and height
	// first, big-endian) at 16, its CRC at 29.
	put := func(off int, v uint32) { binary.BigEndian.PutUint32(b[off:], v) }
	put(16, uint32(w))
	put(20, uint32(h))
	put(29, crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestParseSceneHugeCountFailsFast(t *testing.T) {
	// A count of a billion in a tiny file must fail at the end of the
	// data, not allocate for the count first.
	src := replaceOnce(t, tinyScene, "1\nsolid", "1000000000\nsolid")
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := ParseScene([]byte(src), nil, DefaultLimits()); err == nil {
			t.Fatal("no error")
		}
	})
	if allocs > 200 {
		t.Errorf("%v allocations to reject a scene with a huge count", allocs)
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("no %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

func TestTexmapFormats(t *testing.T) {
	// A 16x16 texture of four 8x8 quadrants of distinct colours, in every
	// format the original reads; texture row 0 is the top row.
	src := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	quad := [2][2]color.NRGBA{
		{{255, 0, 0, 255}, {0, 255, 0, 255}},
		{{0, 0, 255, 255}, {255, 255, 255, 255}},
	}
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			src.SetNRGBA(x, y, quad[y/8][x/8])
		}
	}
	for _, f := range texmapEncoders {
		t.Run(f.name, func(t *testing.T) {
			tex, err := decodeTexmap(f.encode(t, src), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if tex.w != 16 || tex.h != 16 {
				t.Fatalf("size %dx%d", tex.w, tex.h)
			}
			checks := []struct {
				s, t float64
				want [3]uint8
			}{
				{0.1, 0.1, [3]uint8{255, 0, 0}},
				{0.9, 0.1, [3]uint8{0, 255, 0}},
				{0.1, 0.9, [3]uint8{0, 0, 255}},
				{0.9, 0.9, [3]uint8{255, 255, 255}},
			}
			for _, c := range checks {
				got := tex.at(c.s, c.t)
				g := [3]uint8{to8(got.r), to8(got.g), to8(got.b)}
				for i := range g {
					if d := int(g[i]) - int(c.want[i]); d > f.tolerance || d < -f.tolerance {
						t.Errorf("at(%v, %v) = %v, want %v", c.s, c.t, g, c.want)
						break
					}
				}
			}
		})
	}
}

func TestParseSceneMaxShapes(t *testing.T) {
	// The largest number of shapes the default limits allow.
	var b strings.Builder
	b.WriteString("0 0 0 0 0 -1 0 1 0 30 1 0 0 0 1 1 1 1 0 0 1 solid 1 0 0 1 .4 .6 0 1 0 0 0 10000\n")
	for i := 0; i < 10_000; i++ {
		b.WriteString("0 0 sphere 1.5 2.5 -10.25 2\n")
	}
	s, err := ParseScene([]byte(b.String()), nil, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if s.Info().Shapes != 10_000 {
		t.Fatalf("%d shapes", s.Info().Shapes)
	}
}

// TestSceneMemoryBoundsParsedScenes: the memory a parsed scene holds is
// within SceneMemory of its text, for the scenes that hold the most per
// byte of text: many shapes, many pigments, many lights.
func TestSceneMemoryBoundsParsedScenes(t *testing.T) {
	lim := DefaultLimits()
	head := "0 0 10\n0 0 0\n0 1 0\n30\n"
	for _, tc := range []struct {
		name string
		src  func(b *strings.Builder)
	}{
		{"shapes", func(b *strings.Builder) {
			b.WriteString(head + "1\n0 0 0 1 1 1 1 0 0\n1\nsolid 1 0 0\n1\n.1 .9 0 1 0 0 1\n10000\n")
			for range 10000 {
				b.WriteString("0 0 plane 0 0 1 0\n")
			}
		}},
		{"pigments", func(b *strings.Builder) {
			b.WriteString(head + "1\n0 0 0 1 1 1 1 0 0\n80000\n")
			for range 80000 {
				b.WriteString("solid 1 0 0\n")
			}
			b.WriteString("1\n.1 .9 0 1 0 0 1\n1\n0 0 plane 0 0 1 0\n")
		}},
		{"lights", func(b *strings.Builder) {
			b.WriteString(head + "1000\n")
			for range 1000 {
				b.WriteString("0 0 0 1 1 1 1 0 0\n")
			}
			b.WriteString("1\nsolid 1 0 0\n1\n.1 .9 0 1 0 0 1\n1\n0 0 plane 0 0 1 0\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			tc.src(&b)
			src := []byte(b.String())
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s, err := ParseScene(src, nil, lim)
			if err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			held := int64(after.HeapAlloc) - int64(before.HeapAlloc) + int64(len(src))
			if bound := SceneMemory(len(src), lim); held > bound {
				t.Errorf("a scene of %d bytes holds %d bytes, above SceneMemory's %d", len(src), held, bound)
			}
			runtime.KeepAlive(s)
		})
	}
}
