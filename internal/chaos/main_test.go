package chaos

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// binPath is the vfx binary TestMain built.
var binPath string

// TestMain builds the vfx binary and fails a passing run that leaves
// goroutines or connections behind.
func TestMain(m *testing.M) {
	os.Exit(testutil.Main(m, testutil.MainOptions{Binary: &binPath, Leaks: true}))
}
