package testutil

import (
	"os"
	"testing"
)

// TestMain fails a passing run that leaves goroutines behind (StartProc's
// waiters, the hostile senders).
func TestMain(m *testing.M) { os.Exit(Main(m, MainOptions{Leaks: true})) }
