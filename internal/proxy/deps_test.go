package proxy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the load balancer free of process, cloud and concrete
// provider or store dependencies, and of the worker server: it decodes
// requests with package wire (see doc.go).
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/specialvfx/vfx/internal/proxy").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{
			"os/exec", "github.com/aws/", "github.com/docker/", "github.com/moby/",
			"github.com/specialvfx/vfx/internal/provider/", "github.com/specialvfx/vfx/internal/metrics/",
			"modernc.org/sqlite", "github.com/specialvfx/vfx/internal/worker",
		} {
			if dep == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad)) {
				t.Errorf("internal/proxy depends on %s", dep)
			}
		}
	}
}
