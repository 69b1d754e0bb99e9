package worker

import (
	"os/exec"
	"strings"
	"testing"
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
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, strings.TrimSuffix(f, "/")+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
	out, _ := exec.Command("go", "list", "-deps", "github.com/specialvfx/vfx/internal/client").CombinedOutput()
	if strings.Contains(string(out), "github.com/specialvfx/vfx/internal/worker\n") {
		t.Error("internal/client depends on internal/worker")
	}
}
