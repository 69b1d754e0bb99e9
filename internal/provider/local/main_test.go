package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// vfxBinary is the vfx executable built once for this package's tests.
var vfxBinary string

// helperEnv makes the test binary act as a parent process that launches
// one worker and then waits to be killed (see runHelper).
const helperEnv = "VFX_LOCAL_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vfx-local-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	vfxBinary, err = testBinary(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			return 1
		}
	}
	return code
}

// binaryEnv names a prebuilt vfx binary to test with instead of building
// one (e.g. when CI has built it already).
const binaryEnv = "VFX_TEST_BINARY"

func testBinary(dir string) (string, error) {
	if b := os.Getenv(binaryEnv); b != "" {
		return filepath.Abs(b)
	}
	return buildVFX(dir)
}

// buildVFX builds ./cmd/vfx of the module into dir.
func buildVFX(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "vfx")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/vfx")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/vfx: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory holding go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// runHelper launches one worker with the configuration given in the
// environment, prints "<pid> <address>" and blocks until killed.
func runHelper() int {
	ctx := context.Background()
	p, err := New(ctx, Config{
		Binary:   os.Getenv("VFX_HELPER_BINARY"),
		StateDir: os.Getenv("VFX_HELPER_STATE"),
		Store:    "none",
		Detach:   os.Getenv("VFX_HELPER_DETACH") == "1",

		noDeathSignal: os.Getenv("VFX_HELPER_NO_DEATH_SIGNAL") == "1",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	insts, err := p.Launch(ctx, 1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	r, err := readRecord(p.files.path(insts[0].ID))
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	fmt.Printf("%d %s %s\n", r.PID, r.Address, insts[0].State)
	time.Sleep(time.Hour)
	return 0
}
