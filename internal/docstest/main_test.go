package docstest

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestMain removes the vfx binary the test built.
func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{})) }
