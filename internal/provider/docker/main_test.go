package docker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"go.uber.org/goleak"
)

var (
	// vfxBinary is a static vfx executable built once for these tests.
	vfxBinary string
	// engineErr is why the Docker engine cannot be used, if it cannot.
	engineErr error
)

// binaryEnv names a prebuilt static vfx binary to test with instead of
// building one.
const binaryEnv = "VFX_TEST_BINARY"

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vfx-docker-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	engineErr = pingEngine()
	if vfxBinary, err = staticTestBinary(dir); err != nil {
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

func staticTestBinary(dir string) (string, error) {
	if b := os.Getenv(binaryEnv); b != "" {
		if err := checkStatic(b); err != nil {
			return "", fmt.Errorf("%s: %w", binaryEnv, err)
		}
		return filepath.Abs(b)
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "vfx")
	if err := buildStatic(context.Background(), root, out); err != nil {
		return "", err
	}
	return out, nil
}

func pingEngine() error {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		return fmt.Errorf("%s: %w", cli.DaemonHost(), err)
	}
	return nil
}

// requireEngine fails the test when the Docker engine is not reachable:
// these tests are about real containers and must not pass without them.
func requireEngine(t *testing.T) {
	t.Helper()
	if engineErr != nil {
		t.Fatalf("the Docker engine is not reachable (%v): start dockerd, or point DOCKER_HOST at a running engine", engineErr)
	}
}
