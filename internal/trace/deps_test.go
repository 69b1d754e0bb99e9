package trace

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestImports keeps the trace format free of I/O beyond files (doc.go).
func TestImports(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/trace", "net/http", "os/exec", "github.com/aws/")
}
