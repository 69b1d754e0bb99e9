package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// vfxBinary is the vfx executable the tests run.
var vfxBinary string

// binaryEnv names a prebuilt vfx binary to test instead of building one.
const binaryEnv = "VFX_TEST_BINARY"

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vfx-autoscale-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if b := os.Getenv(binaryEnv); b != "" {
		vfxBinary, err = filepath.Abs(b)
	} else {
		vfxBinary, err = buildVFX(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

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

// moduleRoot finds the directory holding go.mod above the working
// directory.
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

// seedFile reads a file of the shared seed data (../shared/seed-data from
// the module root).
func seedFile(t *testing.T, rel string) []byte {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "..", "shared", "seed-data", rel))
	if err != nil {
		t.Fatalf("seed data: %v", err)
	}
	return data
}
