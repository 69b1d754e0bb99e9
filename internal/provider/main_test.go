package provider

import (
	"os"
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestMain fails a passing run that leaves goroutines behind.
func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Leaks: true})) }
