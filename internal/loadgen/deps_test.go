package loadgen

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go: the generator is a client of the API
// only, driven by the command line and the benchmarks.
func TestDependencies(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/loadgen",
		"os/exec",
		"flag",
		"github.com/spf13/pflag",
		"github.com/spf13/cobra",
		"github.com/aws/",
		"github.com/docker/",
		"github.com/specialvfx/vfx/internal/worker",
		"github.com/specialvfx/vfx/internal/proxy",
		"github.com/specialvfx/vfx/internal/provider",
		"github.com/specialvfx/vfx/internal/metrics",
	)
}
