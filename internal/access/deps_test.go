package access

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go: access control knows nothing of the
// servers it protects, the store, the providers or the command line.
func TestDependencies(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/access",
		"os/exec",
		"flag",
		"github.com/spf13/pflag",
		"github.com/spf13/cobra",
		"github.com/specialvfx/vfx/internal/worker",
		"github.com/specialvfx/vfx/internal/proxy",
		"github.com/specialvfx/vfx/internal/provider",
		"github.com/specialvfx/vfx/internal/metrics",
	)
}
