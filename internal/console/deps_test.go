package console

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

const self = "github.com/specialvfx/vfx/internal/console"

// TestDependencies enforces doc.go: no net/http, no os/exec, nothing of
// this module.
func TestDependencies(t *testing.T) {
	testutil.AssertNoDeps(t, self, "net/http", "os/exec")
	testutil.AssertNoImports(t, self, "github.com/specialvfx/vfx/")
}
