package budget

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go: the budget is pure bookkeeping.
func TestDependencies(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/budget",
		"net/http",
		"os/exec",
		"github.com/aws/",
		"github.com/docker/",
	)
	testutil.AssertNoImports(t, "github.com/specialvfx/vfx/internal/budget", "github.com/specialvfx/vfx/")
}
