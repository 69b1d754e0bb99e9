package loadgen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// specDir is a directory with a scene, a texture and an image, as a spec
// names them.
func specDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testutil.CopySeed(t, "raytracer/scenes/test01.txt", dir)
	testutil.CopySeed(t, "raytracer/scenes/test-texmap.txt", dir)
	testutil.CopySeed(t, "raytracer/textures/test-texmap.bmp", dir)
	if err := os.WriteFile(filepath.Join(dir, "small.png"), testutil.PNG(t, 6, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const goodSpec = `
items:
  - name: simple
    workload: raytracer
    scene: test01.txt
    scols: 40
    srows: 30
    weight: 3
  - name: window
    workload: raytrace
    scene: test01.txt
    texmap: test-texmap.bmp
    scols: 40
    srows: 30
    wcols: 20
    wrows: 10
    coff: 5
    roff: 7
    aa: true
  - name: blur-small
    workload: blur
    image: small.png
    weight: 0
  - name: enhance-small
    workload: enhanceimage
    image: small.png
    format: PNG
burst: [simple, blur-small, simple]
`

func TestSpecBuildsItsMix(t *testing.T) {
	dir := specDir(t)
	path := filepath.Join(dir, "mix.yaml")
	if err := os.WriteFile(path, []byte(goodSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadMix(path)
	if err != nil {
		t.Fatal(err)
	}
	items := m.Items()
	if len(items) != 4 || m.Name() != path {
		t.Fatalf("%d items, name %q", len(items), m.Name())
	}
	for i, want := range []struct {
		name   string
		kind   workload.Kind
		weight float64
		query  string
	}{
		{"simple", workload.Raytracer, 3, "scols=40&srows=30&wcols=40&wrows=30&coff=0&roff=0&aa=false&multi=false"},
		{"window", workload.Raytracer, 1, "scols=40&srows=30&wcols=20&wrows=10&coff=5&roff=7&aa=true&multi=false"},
		{"blur-small", workload.Blur, 0, ""},
		{"enhance-small", workload.Enhance, 1, ""},
	} {
		it := items[i]
		if it.Name != want.name || it.Workload != want.kind || it.Weight != want.weight || it.Input.Query != want.query {
			t.Errorf("item %d: %+v query %q, want %+v", i, it, it.Input.Query, want)
		}
		if it.Input.Features.Kind != want.kind || it.Input.Features.InputHash == "" {
			t.Errorf("item %s: features %+v", it.Name, it.Input.Features)
		}
	}
	// Features are the ones wire.Decode computes from the request.
	if f := items[1].Input.Features; f.WCols != 20 || f.COff != 5 || !f.AA || f.TexmapBytes == 0 || f.Shapes == 0 {
		t.Errorf("window features %+v", f)
	}
	if f := items[3].Input.Features; f.Width != 6 || f.Height != 4 || f.Format != "png" {
		t.Errorf("enhance features %+v", f)
	}
	if got := strings.Join(m.Burst(), ","); got != "simple,blur-small,simple" {
		t.Errorf("burst %s", got)
	}
	// JSON is read too.
	js := `{"items": [{"name": "b", "workload": "blur", "image": "small.png"}]}`
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := LoadMix(path); err != nil || len(m.Items()) != 1 {
		t.Errorf("JSON spec: %v", err)
	}
}

// TestSpecErrors: every problem is reported, each naming the item and the
// field.
func TestSpecErrors(t *testing.T) {
	dir := specDir(t)
	for _, tc := range []struct {
		name string
		spec string
		want []string // each a line of the error
	}{
		{"unknown key", "items:\n  - name: a\n    workload: blur\n    image: small.png\n    colour: red\n",
			[]string{"mix.yaml: line 5, key items[0].colour: unknown key"}},
		{"wrong type", "items:\n  - name: a\n    workload: raytracer\n    scene: test01.txt\n    scols: wide\n    srows: 3\n",
			[]string{"mix.yaml: line 5, key items[0].scols: cannot unmarshal"}},
		{"no items", "burst: []\n", []string{"mix.yaml: items: none"}},
		{"every problem at once", `
items:
  - workload: blur
    image: small.png
  - name: "bad name"
    workload: paint
  - name: ray
    workload: raytracer
    scols: 0
    srows: -2
    wcols: -1
    image: small.png
    weight: -1
  - name: img
    workload: enhance
    scols: 10
    aa: true
    format: tiff
  - name: ray
    workload: blur
    image: small.png
  - name: all
    workload: blur
    image: small.png
burst: [ray, nope]
`, []string{
			`mix.yaml: items[0]: name: missing`,
			`mix.yaml: items[1] "bad name": name: "bad name" is not`,
			`mix.yaml: items[1] "bad name": workload: unknown workload "paint"`,
			`mix.yaml: items[2] "ray": weight: -1 is not in [0, 1e+06]`,
			`mix.yaml: items[2] "ray": image: applies to blur and enhance items only`,
			`mix.yaml: items[2] "ray": scene: missing`,
			`mix.yaml: items[2] "ray": scols: 0: want the scene size`,
			`mix.yaml: items[2] "ray": srows: -2: want the scene size`,
			`mix.yaml: items[2] "ray": wcols: -1 is negative`,
			`mix.yaml: items[3] "img": scols: applies to raytracer items only`,
			`mix.yaml: items[3] "img": aa: applies to raytracer items only`,
			`mix.yaml: items[3] "img": image: missing`,
			`mix.yaml: items[3] "img": format: unsupported image format "tiff"`,
			`mix.yaml: items[4] "ray": name: "ray" is also the name of items[2]`,
			`mix.yaml: items[5] "all": name: "all" names the summary's total`,
			`mix.yaml: burst[1]: "nope" is not the name of an item`,
		}},
		{"no positive weight", "items:\n  - name: a\n    workload: blur\n    image: small.png\n    weight: 0\n",
			[]string{"mix.yaml: items: every weight is 0"}},
		{"missing file", "items:\n  - name: a\n    workload: raytracer\n    scene: nope.txt\n    scols: 4\n    srows: 3\n",
			[]string{`mix.yaml: items[0] "a": scene: open ` + filepath.Join(dir, "nope.txt") + ": no such file or directory"}},
		{"bad files and parameters", `
items:
  - name: big-window
    workload: raytracer
    scene: test01.txt
    scols: 4
    srows: 3
    wcols: 8
  - name: not-an-image
    workload: blur
    image: test01.txt
    format: png
  - name: no-extension
    workload: enhance
    image: test01
`, []string{
			`mix.yaml: items[0] "big-window": a worker would refuse the request: bad render parameters: wcols: window width 8 is larger than the scene width scols=4`,
			`mix.yaml: items[1] "not-an-image": image ` + filepath.Join(dir, "test01.txt") + `: a worker would refuse the request:`,
			`mix.yaml: items[2] "no-extension": image: open ` + filepath.Join(dir, "test01"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "mix.yaml")
			if err := os.WriteFile(path, []byte(tc.spec), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadMix(path)
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(strings.ReplaceAll(err.Error(), path, "mix.yaml"), "\n")
			if len(lines) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%s", len(lines), len(tc.want), strings.Join(lines, "\n"))
			}
			for i, w := range tc.want {
				if i < len(lines) && !strings.HasPrefix(lines[i], strings.ReplaceAll(w, path, "mix.yaml")) {
					t.Errorf("problem %d:\n%s\nwant it to start with\n%s", i, lines[i], w)
				}
			}
		})
	}
	if _, err := LoadMix(filepath.Join(dir, "absent.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent spec: %v", err)
	}
}

// TestFileBounds: a file above its bound is refused, naming it.
func TestFileBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, make([]byte, MaxSceneFile+1), 0o644); err != nil {
		t.Fatal(err)
	}
	s := Spec{Items: []ItemSpec{{Name: "a", Workload: "raytracer", Scene: "big.txt", SCols: 4, SRows: 3}}}
	_, err := NewMix("m", s, dir)
	if err == nil || !strings.Contains(err.Error(), `items[0] "a": scene: `+big+": larger than the limit of 1048576 bytes") {
		t.Errorf("error %v", err)
	}
}

// FuzzParseSpec: any input is read or refused with an error whose every
// line names the file, never a panic; what is accepted validates.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(goodSpec))
	f.Add([]byte(`{"items": [{"name": "b", "workload": "blur", "image": "x.png", "weight": 2.5}], "burst": ["b", "b"]}`))
	f.Add([]byte("items:\n  - name: a\n    workload: raytracer\n    scols: 1\n    srows: 1\n    scene: s\n"))
	f.Add([]byte("items: [{name: x, workload: enhance, image: y, format: gif, weight: .nan}]\n"))
	f.Add([]byte("items:\n  - &a {name: a}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec("f.yaml", data)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml: ") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted a spec that does not validate: %v", err)
		}
		if len(s.Items) == 0 || len(s.Items) > MaxItems {
			t.Fatalf("accepted %d items", len(s.Items))
		}
	})
}
