package provider

import (
	"path"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces what the doc.go of this package and of each
// implementation says it must not import.
func TestDependencies(t *testing.T) {
	const (
		pkg = "github.com/specialvfx/vfx/internal/provider"
		vfx = "github.com/specialvfx/vfx/internal/"
	)
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{pkg, []string{"net/http", "os/exec", pkg + "/"}},
		{pkg + "/local", []string{"github.com/docker/", "github.com/moby/", "github.com/aws/",
			vfx + "worker", vfx + "proxy", vfx + "autoscaler", vfx + "balancer"}},
		{pkg + "/docker", []string{"github.com/aws/", "os/exec",
			vfx + "worker", vfx + "proxy", vfx + "autoscaler", vfx + "balancer"}},
		{pkg + "/docker/rootfs", []string{"net/http", "os/exec", "github.com/docker/", "github.com/moby/",
			pkg + "/local", pkg + "/health", vfx + "worker", vfx + "proxy", vfx + "autoscaler"}},
		{pkg + "/static", []string{"os/exec", "net/http", "github.com/docker/", "github.com/aws/",
			vfx + "worker", vfx + "proxy", vfx + "autoscaler"}},
		{pkg + "/health", []string{"os/exec", pkg + "/local", pkg + "/docker", pkg + "/static",
			vfx + "proxy", vfx + "autoscaler", vfx + "worker"}},
	}
	for _, tt := range tests {
		t.Run(path.Base(tt.pkg), func(t *testing.T) {
			testutil.AssertNoDeps(t, tt.pkg, tt.forbidden...)
		})
	}
}
