package loadgen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/trace"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

func loadPreset(t *testing.T, name string) *Mix {
	t.Helper()
	p, err := FindPreset(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Load(testutil.SeedPath(t, "."))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCoursePreset: the course's items load from the seed data, with
// the course's simple and complex requests and its burst.
func TestCoursePreset(t *testing.T) {
	m := loadPreset(t, "course")
	byName := map[string]ItemInfo{}
	for _, it := range m.Items() {
		byName[it.Name] = it
		if it.Input == nil || it.Weight <= 0 {
			t.Errorf("item %s: %+v", it.Name, it)
		}
	}
	simple, complexRT := byName["raytrace-simple"].Input, byName["raytrace-complex"].Input
	if simple == nil || complexRT == nil {
		t.Fatalf("items %v", m.Items())
	}
	if f := simple.Features; f.SCols != 400 || f.SRows != 300 || f.WCols != 400 || f.AA || f.TexmapBytes != 0 ||
		f.InputHash != wire.InputHash(testutil.SeedFile(t, "raytracer/scenes/test01.txt")) {
		t.Errorf("simple ray trace %+v", f)
	}
	if f := complexRT.Features; f.TexmapBytes != len(testutil.SeedFile(t, "raytracer/textures/test-texmap.bmp")) {
		t.Errorf("complex ray trace %+v", f)
	}
	if f := byName["blur-complex"].Input.Features; f.Kind != workload.Blur || f.Width != 960 || f.Height != 641 || f.Format != "jpg" {
		t.Errorf("blur of horse.jpg %+v", f)
	}
	if f := byName["enhance-simple"].Input.Features; f.Kind != workload.Enhance || f.Width != 960 || f.Height != 686 {
		t.Errorf("enhance of airplane.jpg %+v", f)
	}
	// The body is the original's: a data URL of the file as it is.
	if !bytes.HasPrefix(byName["blur-simple"].Input.Body, []byte("data:image/jpg;base64,/9j/")) {
		t.Errorf("blur body starts %q", byName["blur-simple"].Input.Body[:30])
	}
	want := "raytrace-complex,raytrace-simple,raytrace-simple,raytrace-simple,raytrace-simple,raytrace-complex,raytrace-simple," +
		"blur-complex,blur-simple,enhance-complex,enhance-simple"
	if got := strings.Join(m.Burst(), ","); got != want {
		t.Errorf("burst %s\nwant  %s", got, want)
	}
}

// TestUnseenPreset: every input is new (no two requests share their
// features), of every workload, and what its features say: a generated
// image is encoded in the format its data URL names, at the size the
// features give.
func TestUnseenPreset(t *testing.T) {
	m := loadPreset(t, "unseen")
	src := newSource(newSequence(planConfig(m, 40)))
	defer src.close()
	seen := map[workload.Features]int{}
	kinds := map[workload.Kind]int{}
	formats := map[string]int{}
	for {
		p, ok, err := src.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		f := p.input.Features
		if j, dup := seen[f]; dup {
			t.Errorf("requests %d and %d have the same input %+v", j, p.seq, f)
		}
		seen[f] = p.seq
		kinds[f.Kind]++
		if f.Kind == workload.Raytracer {
			if f.WCols < 1 || f.WCols > f.SCols || f.COff+f.WCols > f.SCols || f.ROff+f.WRows > f.SRows || f.Shapes == 0 {
				t.Errorf("ray trace %+v", f)
			}
			continue
		}
		formats[f.Format]++
		req, _, err := wire.Decode(f.Kind, "", p.input.Body, wire.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if codec.Sniff(req.Image) != map[string]string{"jpg": "jpeg", "png": "png", "bmp": "bmp"}[req.Format] {
			t.Errorf("request %d: data URL names %s, the image is %s", p.seq, req.Format, codec.Sniff(req.Image))
		}
		if req.Config.Width != f.Width || req.Config.Height != f.Height || f.Width < unseenMinSide || f.Height < unseenMinSide {
			t.Errorf("request %d: %dx%d, features %+v", p.seq, req.Config.Width, req.Config.Height, f)
		}
	}
	if len(seen) != 40 || len(kinds) != 3 || len(formats) < 2 {
		t.Errorf("%d requests, workloads %v, formats %v: want 40, every workload and several formats", len(seen), kinds, formats)
	}
}

func TestTinyPreset(t *testing.T) {
	p, err := FindPreset("tiny")
	if err != nil || p.NeedsData {
		t.Fatalf("%+v %v", p, err)
	}
	m, err := p.Load("/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	it := m.Items()
	if len(it) != 1 || it[0].Input.Features.Width != 1 || it[0].Input.Features.Height != 1 || it[0].Input.Path != "/blurimage" {
		t.Errorf("tiny: %+v", it)
	}
	if _, err := FindPreset("huge"); err == nil || !strings.Contains(err.Error(), "course, unseen, tiny") {
		t.Errorf("unknown preset: %v", err)
	}
}

// TestPresetMissingData: a preset without its data says which file is
// missing.
func TestPresetMissingData(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"course", "unseen"} {
		p, _ := FindPreset(name)
		_, err := p.Load(dir)
		if err == nil || !strings.Contains(err.Error(), "preset "+name+": ") || !strings.Contains(err.Error(), filepath.Join(dir, "raytracer/scenes/")) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFindData: the data directory given, else next to the working
// directory, else next to the module root of the executable; otherwise one
// error naming every place tried.
func TestFindData(t *testing.T) {
	root := t.TempDir()
	// root/work/repo is a checkout of this module with its executable in
	// bin/, and root/work/shared/seed-data its data.
	repo := filepath.Join(root, "work", "repo")
	data := filepath.Join(root, "work", "shared", "seed-data")
	other := filepath.Join(root, "elsewhere")
	for _, d := range []string{filepath.Join(repo, "bin"), data, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module github.com/specialvfx/vfx\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(repo, "bin", "vfx")
	for _, tc := range []struct {
		name, dir, cwd, exe, want string
		looked                    []string
	}{
		{"given", data, other, "", data, nil},
		{"given relative", "../work/shared/seed-data", other, "", data, nil},
		{"next to the working directory", "", repo, "", data, nil},
		{"next to the executable's module", "", other, exe, data, nil},
		{"given but missing", filepath.Join(other, "nope"), repo, exe, "", []string{filepath.Join(other, "nope")}},
		{"nowhere", "", other, "/usr/bin/vfx", "", []string{filepath.Join(root, "shared", "seed-data")}},
		{"nowhere, with a module", "", filepath.Join(other), filepath.Join(other, "vfx"), "", []string{filepath.Join(root, "shared", "seed-data")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindData(tc.dir, tc.cwd, tc.exe)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Errorf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			var nf *DataNotFoundError
			if !errors.As(err, &nf) || strings.Join(nf.Looked, "|") != strings.Join(tc.looked, "|") {
				t.Errorf("error %v, want one naming %v", err, tc.looked)
			}
		})
	}
	// A go.mod of another module is not ours.
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FindData("", other, exe); err == nil {
		t.Error("found data next to another module")
	}
}

// collect is a Sink that keeps the entries.
type collect []trace.Entry

func (c *collect) Write(e trace.Entry) error {
	*c = append(*c, e)
	return nil
}
