package wire

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go: the wire format depends on no HTTP
// stack, server, client, store, provider, process or cloud package.
func TestDependencies(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/wire",
		"net/http",
		"os/exec",
		"github.com/aws/",
		"github.com/docker/",
		"github.com/specialvfx/vfx/internal/worker",
		"github.com/specialvfx/vfx/internal/proxy",
		"github.com/specialvfx/vfx/internal/client",
		"github.com/specialvfx/vfx/internal/metrics",
		"github.com/specialvfx/vfx/internal/provider",
	)
}
