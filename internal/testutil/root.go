package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// RepoRoot returns the repository root: the nearest directory at or above
// the working directory that holds go.mod. Tests run in their package's
// directory, so this is the module root.
func RepoRoot() (string, error) {
	start, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := start; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod at or above %s", start)
		}
		dir = parent
	}
}

// seedDir is computed once per process.
var seedDir = sync.OnceValues(func() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "..", "shared", "seed-data")
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	return dir, nil
})

// SeedDir returns the seed data directory, ../shared/seed-data from the
// repository root, after checking that it exists.
func SeedDir() (string, error) {
	dir, err := seedDir()
	if err != nil {
		return "", fmt.Errorf("seed data (../shared/seed-data from the repository root): %w", err)
	}
	return dir, nil
}

// SeedPath returns the path of a seed-data file, rel being relative to
// the seed data directory with '/' separators (e.g.
// "raytracer/scenes/test01.txt"). It fails tb if the file does not exist.
func SeedPath(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := SeedDir()
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("seed data: %v", err)
	}
	return p
}

// SeedFile reads a seed-data file (see SeedPath), failing tb on error.
func SeedFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(SeedPath(tb, rel))
	if err != nil {
		tb.Fatalf("seed data: %v", err)
	}
	return b
}

// CopySeed copies a seed-data file into dir under its base name.
func CopySeed(tb testing.TB, rel, dir string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(rel)), SeedFile(tb, rel), 0o644); err != nil {
		tb.Fatal(err)
	}
}
