package local

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces what doc.go says the package must not import.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{"github.com/docker/", "github.com/moby/", "github.com/aws/", "github.com/specialvfx/vfx/internal/worker", "github.com/specialvfx/vfx/internal/proxy", "github.com/specialvfx/vfx/internal/autoscaler", "github.com/specialvfx/vfx/internal/balancer"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) || strings.HasPrefix(dep, f+"/") {
				t.Errorf("depends on %s", dep)
			}
		}
	}
}
