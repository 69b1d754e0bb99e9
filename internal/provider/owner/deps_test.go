package owner

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestDependencies enforces doc.go.
func TestDependencies(t *testing.T) {
	const p = "github.com/specialvfx/vfx/internal/provider/"
	testutil.AssertNoDeps(t, p+"owner", "net/http", "os/exec", p+"local", p+"docker", p+"static", p+"health")
}
