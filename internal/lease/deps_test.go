package lease

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go: no network, processes or files.
func TestDependencies(t *testing.T) {
	const pkg = "github.com/specialvfx/vfx/internal/lease"
	testutil.AssertNoDeps(t, pkg, "net/http", "os/exec")
	testutil.AssertNoImports(t, pkg, "os")
}
