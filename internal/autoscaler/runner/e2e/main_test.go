package e2e

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// vfxBinary is the vfx executable the tests run.
var vfxBinary string

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Binary: &vfxBinary})) }
