package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/specialvfx/vfx"

// purePackages must not depend on anything in forbidden.
var purePackages = []string{
	"internal/workload",
	"internal/instrument",
	"internal/raytracer",
	"internal/imageproc",
	"internal/estimator",
	"internal/balancer",
	"internal/autoscaler",
	"internal/lifecycle",
}

var forbidden = []string{
	"net/http",
	"os/exec",
	"github.com/aws/",
	"github.com/docker/",
	"github.com/moby/",
}

func TestPurePackagesImportNoNetworkProcessOrCloud(t *testing.T) {
	for _, pkg := range purePackages {
		t.Run(pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", module+"/"+pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range forbidden {
					if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}
