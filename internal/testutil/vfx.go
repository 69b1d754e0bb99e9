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

// BinaryEnv names a prebuilt vfx binary that VFX returns instead of
// building one (e.g. when CI has built it already). The docker provider's
// tests need it dynamically linked (a cgo build, the default where a C
// compiler is installed).
const BinaryEnv = "VFX_TEST_BINARY"

// buildFlags are the flags of every test build of vfx: with no file paths
// and no version-control stamp in it, the binary's bytes depend on the
// source alone, so that the tests of every package (and of every checkout)
// build the same binary, and the docker provider's content-addressed image
// of it is built once.
var buildFlags = []string{"-trimpath", "-buildvcs=false"}

var (
	buildMu  sync.Mutex
	buildDir string // the temporary directory of the builds, "" before the first
)

// VFX returns the path of a vfx binary for end-to-end tests: $VFX_TEST_BINARY
// made absolute when it is set, else ./cmd/vfx of this repository built
// (with buildFlags and the toolchain's default cgo setting) once per process
// into a temporary directory that Cleanup removes.
func VFX() (string, error) { return vfx() }

// StaticVFX is VFX for a statically linked binary (CGO_ENABLED=0). It is
// always built, separately from VFX: $VFX_TEST_BINARY does not apply.
func StaticVFX() (string, error) { return staticVFX() }

var (
	vfx       = sync.OnceValues(func() (string, error) { return build("vfx", nil) })
	staticVFX = sync.OnceValues(func() (string, error) { return goBuild("vfx-static", []string{"CGO_ENABLED=0"}) })
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

// build returns $VFX_TEST_BINARY, or builds ./cmd/vfx as goBuild does.
func build(name string, env []string) (string, error) {
	if b := os.Getenv(BinaryEnv); b != "" {
		return filepath.Abs(b)
	}
	return goBuild(name, env)
}

// goBuild builds ./cmd/vfx with buildFlags as name into the temporary
// build directory, with env added to the environment.
func goBuild(name string, env []string) (string, error) {
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
	args := append(append([]string{"build"}, buildFlags...), "-o", bin, "./cmd/vfx")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%sgo build ./cmd/vfx: %w\n%s", strings.Join(append(env, ""), " "), err, out)
	}
	return bin, nil
}
