package static

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
	forbidden := []string{"os/exec", "net/http", "github.com/docker/", "github.com/aws/", "github.com/specialvfx/vfx/internal/worker", "github.com/specialvfx/vfx/internal/proxy", "github.com/specialvfx/vfx/internal/autoscaler"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) || strings.HasPrefix(dep, f+"/") {
				t.Errorf("depends on %s", dep)
			}
		}
	}
}
