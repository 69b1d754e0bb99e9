package dataurl

import (
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// seedData returns the path of a file under shared/seed-data, which lives
// beside the repository root (the directory holding go.mod).
func seedData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (go.mod) not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "seed-data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("seed data: %v", err)
	}
	return p
}

func readSeed(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(seedData(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
