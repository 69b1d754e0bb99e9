package archtest

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

const module = "github.com/specialvfx/vfx/internal/"

// decisionPackages are the compute and policy packages: value snapshots and
// time come in as arguments, decisions and images go out. The simulator
// runs them as production does.
var decisionPackages = []string{
	"workload",
	"instrument",
	"raytracer",
	"imageproc",
	"codec",
	"dataurl",
	"lifecycle",
	"estimator",
	"probe",
	"balancer",
	"autoscaler", // the policies; the loop is autoscaler/runner
	"sim",        // runs the policies above; cmd/vfx reads and writes its files
}

// rule forbids packages to the decision packages: anywhere among their
// dependencies (deps, as `go list -deps` lists them), or only as their own
// imports (imports, for packages every package reaches indirectly). An
// entry forbids the packages below it too; one ending in "/" forbids a
// whole tree.
type rule struct {
	name    string
	why     string
	deps    []string
	imports []string
}

var rules = []rule{
	{
		name: "no network or processes",
		why:  "a decision is computed from values, so the simulator can run thousands of workers in one process",
		deps: []string{"net/http", "os/exec"},
	},
	{
		name: "no cloud or container SDK",
		why:  "EC2, Docker and their clients are the providers' business, behind provider.Provider",
		deps: []string{"github.com/aws/", "github.com/docker/", "github.com/moby/"},
	},
	{
		name: "no command line",
		why:  "cmd/vfx owns the flags and fills the typed configs; a policy only sees its Config",
		deps: []string{"flag", "github.com/spf13/pflag", "github.com/spf13/cobra"},
	},
	{
		name:    "no files or environment",
		why:     "files are read by cmd/vfx and internal/config; os is only checked as a direct import because fmt imports it",
		imports: []string{"os"},
	},
}

func TestDecisionPackagesStayPure(t *testing.T) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, pkg := range decisionPackages {
				t.Run(pkg, func(t *testing.T) {
					if len(r.deps) > 0 {
						testutil.AssertNoDeps(t, module+pkg, r.deps...)
					}
					if len(r.imports) > 0 {
						testutil.AssertNoImports(t, module+pkg, r.imports...)
					}
					if t.Failed() {
						t.Log("why:", r.why)
					}
				})
			}
		})
	}
}
