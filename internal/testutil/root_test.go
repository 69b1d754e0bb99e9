package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRootAndSeedData(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(mod, []byte("module github.com/specialvfx/vfx\n")) {
		t.Fatalf("RepoRoot = %s, whose go.mod is not the vfx module's (%v)", root, err)
	}
	wd, _ := os.Getwd()
	if !strings.HasPrefix(wd, root+string(filepath.Separator)) {
		t.Errorf("RepoRoot %s is not above the working directory %s", root, wd)
	}
	dir, err := SeedDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "..", "shared", "seed-data"); dir != want {
		t.Errorf("SeedDir = %s; want %s", dir, want)
	}
	const rel = "raytracer/scenes/test01.txt"
	if p := SeedPath(t, rel); p != filepath.Join(dir, "raytracer", "scenes", "test01.txt") {
		t.Errorf("SeedPath = %s", p)
	}
	b := SeedFile(t, rel)
	if !bytes.Contains(b, []byte("sphere")) {
		t.Errorf("SeedFile(%s) = %.40q…, not a scene", rel, b)
	}
	out := t.TempDir()
	CopySeed(t, rel, out)
	if c, err := os.ReadFile(filepath.Join(out, "test01.txt")); err != nil || !bytes.Equal(c, b) {
		t.Errorf("CopySeed: %v, %d bytes; want %d", err, len(c), len(b))
	}
}

func TestSeedPathMissing(t *testing.T) {
	f := run(func(tb testing.TB) { SeedPath(tb, "no/such/file") })
	if !f.fatal || len(f.errs) != 1 || !strings.Contains(f.errs[0], "seed data:") {
		t.Errorf("SeedPath of a missing file reported %q (fatal %v)", f.errs, f.fatal)
	}
}

func TestBuildHonoursBinaryEnv(t *testing.T) {
	t.Setenv(BinaryEnv, filepath.Join("some", "vfx"))
	got, err := build("vfx", nil)
	wd, _ := os.Getwd()
	if err != nil || got != filepath.Join(wd, "some", "vfx") {
		t.Errorf("build with %s set = %q, %v; want the absolute path of the prebuilt binary", BinaryEnv, got, err)
	}
}

func TestSeedCopy(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll(filepath.Join(dir, "testdata", "seed", "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "testdata", "seed", "a", "b.txt"), []byte("copy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b := SeedCopy(t, "a/b.txt"); string(b) != "copy" {
		t.Errorf("SeedCopy = %q, want %q", b, "copy")
	}
	f := run(func(tb testing.TB) { SeedCopy(tb, "a/missing.txt") })
	if !f.fatal || len(f.errs) != 1 || !strings.Contains(f.errs[0], filepath.Join("testdata", "seed", "a", "missing.txt")) {
		t.Errorf("SeedCopy of a missing file reported %q (fatal %v)", f.errs, f.fatal)
	}
}
