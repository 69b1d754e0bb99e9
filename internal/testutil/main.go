package testutil

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// MainOptions say what Main prepares and checks around a package's tests.
type MainOptions struct {
	// Binary, when not nil, is set to the vfx binary (VFX, or StaticVFX
	// when Static) before the tests run.
	Binary *string
	// Static asks for a statically linked binary.
	Static bool
	// Check, when not nil, vets the binary (e.g. that it is static).
	Check func(path string) error
	// Leaks fails a run whose tests passed if goroutines are left behind
	// (goleak).
	Leaks bool
}

// Main runs m's tests for a TestMain and returns the exit code for
// os.Exit; afterwards it removes the binaries VFX and StaticVFX built. A
// binary that cannot be had fails the run before any test, saying why.
func Main(m *testing.M, o MainOptions) int {
	defer Cleanup()
	if o.Binary != nil {
		get := VFX
		if o.Static {
			get = StaticVFX
		}
		bin, err := get()
		if err == nil && o.Check != nil {
			if err = o.Check(bin); err != nil && os.Getenv(BinaryEnv) != "" {
				err = fmt.Errorf("%s: %w", BinaryEnv, err)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "vfx binary for the tests:", err)
			return 1
		}
		*o.Binary = bin
	}
	code := m.Run()
	if code == 0 && o.Leaks {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			return 1
		}
	}
	return code
}
