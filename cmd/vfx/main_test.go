package main

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestMain removes the vfx binary the end-to-end tests of this package
// build (testutil.NeedVFX) once they have run, and fails a passing run
// that leaves goroutines behind.
func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Leaks: true})) }
