package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// BinaryEnv names a prebuilt vfx binary that VFX and StaticVFX return
// instead of building one (e.g. when CI has built it already). For the
// docker provider's tests it must be statically linked.
const BinaryEnv = "VFX_TEST_BINARY"

var (
	buildMu  sync.Mutex
	buildDir string // the temporary directory of the builds, "" before the first
)

// VFX returns the path of a vfx binary for end-to-end tests: $VFX_TEST_BINARY
// made absolute when it is set, else ./cmd/vfx of this repository built once
// per process into a temporary directory that Cleanup removes.
func VFX() (string, error) { return vfx() }

// StaticVFX is VFX for a statically linked binary (CGO_ENABLED=0), which a
// FROM-scratch container image can run. It builds separately from VFX;
// $VFX_TEST_BINARY is returned as is (the caller checks it is static).
func StaticVFX() (string, error) { return staticVFX() }

var (
	vfx       = sync.OnceValues(func() (string, error) { return build("vfx", nil) })
	staticVFX = sync.OnceValues(func() (string, error) { return build("vfx-static", []string{"CGO_ENABLED=0"}, "-trimpath") })
)

// NeedVFX is VFX, failing tb when there is no binary.
func NeedVFX(tb testing.TB) string {
	tb.Helper()
	bin, err := VFX()
	return must(tb, bin, err)
}

// must fails tb with err, if any, and returns v.
func must[T any](tb testing.TB, v T, err error) T {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// Cleanup removes the binaries VFX and StaticVFX built. Call it from
// TestMain once the tests have run.
func Cleanup() {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
		buildDir = ""
	}
}

// build returns $VFX_TEST_BINARY, or builds ./cmd/vfx as name into the
// temporary build directory with env added to the environment.
func build(name string, env []string, flags ...string) (string, error) {
	if b := os.Getenv(BinaryEnv); b != "" {
		return filepath.Abs(b)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	buildMu.Lock()
	if buildDir == "" {
		buildDir, err = os.MkdirTemp("", "vfx-test-")
	}
	dir := buildDir
	buildMu.Unlock()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	args := append(append([]string{"build"}, flags...), "-o", bin, "./cmd/vfx")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%sgo build ./cmd/vfx: %w\n%s", strings.Join(append(env, ""), " "), err, out)
	}
	return bin, nil
}
