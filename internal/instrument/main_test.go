package instrument

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails a run that leaves goroutines behind (the tasks'
// workers).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
