package main

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestMain removes the vfx binary the end-to-end tests of this package
// build (testutil.NeedVFX) once they have run.
func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{})) }
