package runner

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the loop free of the network, processes, clouds, the
// load balancer and concrete providers and stores (see doc.go), and the
// lbpool adapter free of processes, clouds and concrete providers.
func TestImports(t *testing.T) {
	tests := []struct {
		pkg string
		bad []string
	}{
		{"github.com/specialvfx/vfx/internal/autoscaler/runner", []string{
			"net/http", "os/exec", "github.com/aws/", "github.com/docker/", "github.com/moby/",
			"github.com/specialvfx/vfx/internal/proxy", "github.com/specialvfx/vfx/internal/provider/",
			"github.com/specialvfx/vfx/internal/metrics/", "modernc.org/sqlite",
		}},
		{"github.com/specialvfx/vfx/internal/autoscaler/runner/lbpool", []string{
			"os/exec", "github.com/aws/", "github.com/docker/", "github.com/moby/",
			"github.com/specialvfx/vfx/internal/provider/", "modernc.org/sqlite",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.pkg[strings.LastIndex(tc.pkg, "/")+1:], func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tc.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, bad := range tc.bad {
					if dep == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad)) {
						t.Errorf("%s depends on %s", tc.pkg, dep)
					}
				}
			}
		})
	}
}
