package reqstats

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go.
func TestDependencies(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/reqstats", "os/exec")
	testutil.AssertNoImports(t, "github.com/specialvfx/vfx/internal/reqstats", "github.com/specialvfx/vfx/")
}
