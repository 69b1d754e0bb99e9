package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// SeedCopyDir is where a package keeps its own copies of seed data,
// relative to the package's directory: a copy of seed file rel is
// SeedCopyDir/rel, or the same path with ".png" for a BMP render kept as a
// lossless PNG. internal/seedcheck checks every copy against its original.
const SeedCopyDir = "testdata/seed"

// SeedCopy reads the test's package's copy of seed data, rel being
// relative to SeedCopyDir with '/' separators (go test runs a package's
// tests in its directory). A missing file fails tb with its path.
func SeedCopy(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(SeedCopyDir, filepath.FromSlash(rel)))
	if err != nil {
		tb.Fatalf("seed copy: %v", err)
	}
	return b
}
