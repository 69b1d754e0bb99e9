package costcheck

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestMain fails a passing run that leaves goroutines behind (the mix's
// builders).
func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Leaks: true})) }
