package runner

import (
	"path"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestImports keeps the loop free of the network, processes, clouds, the
// load balancer, concrete providers and stores and the command line (see
// doc.go), and the lbpool adapter free of processes, clouds and concrete
// providers.
func TestImports(t *testing.T) {
	const vfx = "github.com/specialvfx/vfx/internal/"
	tests := []struct {
		pkg string
		bad []string
	}{
		{vfx + "autoscaler/runner", []string{
			"net/http", "os/exec", "github.com/aws/", "github.com/docker/", "github.com/moby/",
			vfx + "proxy", vfx + "provider/", vfx + "metrics/", "modernc.org/sqlite",
			"flag", "github.com/spf13/pflag", "github.com/spf13/cobra",
		}},
		{vfx + "autoscaler/runner/lbpool", []string{
			"os/exec", "github.com/aws/", "github.com/docker/", "github.com/moby/",
			vfx + "provider/", "modernc.org/sqlite",
		}},
	}
	for _, tc := range tests {
		t.Run(path.Base(tc.pkg), func(t *testing.T) {
			testutil.AssertNoDeps(t, tc.pkg, tc.bad...)
		})
	}
}
