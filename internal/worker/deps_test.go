package worker

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go: the worker and its client import no
// load balancer, autoscaler, provider, cloud SDK or os/exec.
func TestDependencies(t *testing.T) {
	forbidden := []string{
		"os/exec",
		"github.com/aws/",
		"github.com/docker/",
		"github.com/specialvfx/vfx/internal/proxy",
		"github.com/specialvfx/vfx/internal/balancer",
		"github.com/specialvfx/vfx/internal/estimator",
		"github.com/specialvfx/vfx/internal/autoscaler",
		"github.com/specialvfx/vfx/internal/provider",
	}
	for _, pkg := range []string{"github.com/specialvfx/vfx/internal/worker", "github.com/specialvfx/vfx/internal/client"} {
		testutil.AssertNoDeps(t, pkg, forbidden...)
	}
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/client", "github.com/specialvfx/vfx/internal/worker")
}
