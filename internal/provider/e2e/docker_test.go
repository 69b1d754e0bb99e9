package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/specialvfx/vfx/internal/provider/docker"
	"github.com/specialvfx/vfx/internal/testutil"
)

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// engine connects to the Docker engine, failing the test if it cannot.
func engine(t *testing.T) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Fatalf("the Docker engine is not reachable (%v): start dockerd, or point DOCKER_HOST at a running engine", err)
	}
	return cli
}

// deploymentContainers lists the containers of deployment dep, by name
// and state ("running", "exited", ...).
func deploymentContainers(t *testing.T, dep string) map[string]string {
	t.Helper()
	cli := engine(t)
	cs, err := cli.ContainerList(context.Background(), container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", docker.LabelDeployment+"="+dep))})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		out[strings.TrimPrefix(c.Names[0], "/")] = string(c.State)
	}
	return out
}

// cleanDeployment removes what deployment dep left in the engine when the
// test ends.
func cleanDeployment(t *testing.T, dep string) {
	cli := engine(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cs, _ := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", docker.LabelDeployment+"="+dep))})
		for _, c := range cs {
			if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !errdefs.IsNotFound(err) {
				t.Errorf("cleanup: %v", err)
			}
		}
		if err := cli.NetworkRemove(ctx, "vfx-"+dep); err != nil && !errdefs.IsNotFound(err) {
			t.Errorf("cleanup: %v", err)
		}
	})
}

// TestDockerDeployments runs three `vfx up --provider docker`: two
// deployments of distinct names coexist; a third with the name of a live
// one refuses in one line naming it. Then the first is killed (SIGKILL):
// its container, no longer renewed, exits by itself within its lease
// timeout, while the other deployment's runs on.
func TestDockerDeployments(t *testing.T) {
	engine(t)
	const lease = 3 * time.Second
	depA, depB := "test-lease-"+randomHex(), "test-lease-"+randomHex()
	cleanDeployment(t, depA)
	cleanDeployment(t, depB)
	dockerArgs := func(dep string) []string {
		return []string{"--provider", "docker", "--deployment", dep, "--workers", "1", "--worker-memory", "128m",
			"--worker-lease-timeout", lease.String(), "--store", "none"}
	}
	a := startUp(t, t.TempDir(), 1, dockerArgs(depA)...)
	b := startUp(t, t.TempDir(), 1, dockerArgs(depB)...)

	c := run(t, append([]string{"up", "--listen", testutil.NeedFreeAddr(t), "--state-dir", t.TempDir()}, dockerArgs(depA)...)...)
	if err := waitExit(t, c, 60*time.Second); err == nil {
		t.Fatal("a second vfx up of a live deployment exited 0")
	}
	want := regexp.MustCompile(`(?m)^vfx: deployment ` + depA + ` is owned by a running vfx \(pid ` + fmt.Sprint(a.Cmd.Process.Pid) +
		` on [^,]+, load balancer ` + regexp.QuoteMeta(a.base) + `, since [^)]+\): stop it first, or give this one another --deployment\n\z`)
	if out := c.Output(); !want.MatchString(out) || strings.Count(out, "vfx: ") != 1 {
		t.Errorf("the second vfx up of %s printed:\n%s\nwant its last line to match %s", depA, out, want)
	}
	running := func(dep string) []string {
		var names []string
		for name, st := range deploymentContainers(t, dep) {
			if st == "running" {
				names = append(names, name)
			}
		}
		return names
	}
	if n := running(depA); len(n) != 1 || n[0] != "vfx-"+depA+"-1" {
		t.Fatalf("running containers of %s after the refusal: %v", depA, n)
	}

	a.Kill()
	start := time.Now()
	testutil.WaitFor(t, lease+30*time.Second, 100*time.Millisecond, "the killed vfx up's container to exit by itself", func() bool {
		return len(running(depA)) == 0
	})
	t.Logf("the container exited %s after its owner was killed (lease timeout %s)", time.Since(start).Round(100*time.Millisecond), lease)
	if n := running(depB); len(n) != 1 || b.ready() != 1 {
		t.Errorf("the other deployment: running containers %v, ready workers %d; want its one worker", n, b.ready())
	}
	b.signal(t, syscall.SIGTERM)
	if err := waitExit(t, b.Proc, 60*time.Second); err != nil {
		t.Errorf("vfx up of %s: %v", depB, err)
	}
	if cs := deploymentContainers(t, depB); len(cs) != 0 {
		t.Errorf("containers of %s after its vfx up stopped: %v", depB, cs)
	}
}
