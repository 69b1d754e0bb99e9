package config

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestImports enforces doc.go: no package of this module (none can then be
// reached through another module either) and no flag package.
func TestImports(t *testing.T) {
	const self = "github.com/specialvfx/vfx/internal/config"
	testutil.AssertNoImports(t, self, "github.com/specialvfx/vfx/")
	testutil.AssertNoDeps(t, self, "flag", "github.com/spf13/pflag", "github.com/spf13/cobra")
}
