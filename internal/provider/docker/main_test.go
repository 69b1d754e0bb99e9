package docker

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/specialvfx/vfx/internal/testutil"
)

var (
	// vfxBinary is the vfx executable built once for these tests, the
	// way `go build` builds it here: dynamically linked (cgo).
	vfxBinary string
	// engineErr is why the Docker engine cannot be used, if it cannot.
	engineErr error
)

func TestMain(m *testing.M) {
	engineErr = pingEngine()
	code := testutil.Main(m, testutil.MainOptions{Binary: &vfxBinary, Leaks: true})
	if engineErr == nil {
		if err := pruneTestImages(); err != nil {
			fmt.Fprintln(os.Stderr, "removing the worker images of earlier test runs:", err)
		}
	}
	os.Exit(code)
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
