package proxy

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestImports keeps the load balancer free of process, cloud and concrete
// provider or store dependencies, of the worker server (it decodes requests
// with package wire) and of the command line (see doc.go). Of the metrics
// tree it uses the interface and the drop counter (dropmetrics) only.
func TestImports(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/proxy",
		"os/exec", "github.com/aws/", "github.com/docker/", "github.com/moby/",
		"github.com/specialvfx/vfx/internal/provider/",
		"github.com/specialvfx/vfx/internal/metrics/sqlite", "github.com/specialvfx/vfx/internal/metrics/storetest",
		"modernc.org/sqlite", "github.com/specialvfx/vfx/internal/worker",
		"flag", "github.com/spf13/pflag", "github.com/spf13/cobra")
}
