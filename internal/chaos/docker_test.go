package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/provider/docker"
)

// dockerCmd runs the docker client with args, bounded to a minute, and
// returns its output.
func dockerCmd(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// needDocker skips t, saying why, when no Docker engine answers.
func needDocker(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the Docker chaos tests need the docker client and a Docker engine: no docker in PATH")
	}
	if out, err := dockerCmd("version", "--format", "{{.Server.Version}}"); err != nil {
		t.Skipf("the Docker chaos tests need a Docker engine: none answers (%v: %s)", err, out)
	}
}

// startDocker runs `vfx up --provider docker` with n workers in a new
// deployment, whose containers and network are removed when the test
// ends, and returns it with the deployment's name.
func startDocker(t *testing.T, n int) (*upDeployment, string) {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	dep := "chaos-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ids, _ := dockerCmd("ps", "-aq", "--filter", "label="+docker.LabelDeployment+"="+dep)
		if ids != "" {
			if out, err := dockerCmd(append([]string{"rm", "-f"}, strings.Fields(ids)...)...); err != nil {
				t.Errorf("removing the containers of %s: %v: %s", dep, err, out)
			}
		}
		_, _ = dockerCmd("network", "rm", "vfx-"+dep)
	})
	u := startUp(t, n, "--provider", "docker", "--deployment", dep, "--worker-memory", "256m")
	return u, dep
}

// TestChaosDocker injects the faults of Docker workers into a `vfx up
// --provider docker` under the steady mixed load: a container killed,
// and a container cut off its network for a while.
func TestChaosDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos suite runs real deployments for about three minutes")
	}
	needDocker(t)

	// `docker kill` of a worker's container: its requests in flight are
	// retried on the other, and the fixed pool replaces it.
	t.Run("docker-kill", func(t *testing.T) {
		u, dep := startDocker(t, 2)
		victim := "vfx-" + dep + "-2"
		l := startLoad(t, u.base, 15*time.Second, 7)
		l.waitAnswered(t, 5)
		busy := waitBusy(u.base, victim)
		killed := time.Now()
		if out, err := dockerCmd("kill", victim); err != nil {
			t.Fatalf("docker kill %s: %v: %s", victim, err, out)
		}
		rec, ok := waitUntil(90*time.Second, func() bool {
			return workerStates(u.base)[victim] != "ready" && readyWorkers(u.base) == 2
		})
		f, entries := finish(t, &u.deployment, l)
		f.Busy = busy
		f.victim(l, entries, victim, killed, killed)
		f.Recovery, f.What = rec, "the pool has 2 ready workers again"
		if !ok {
			f.What = "the pool did not have 2 ready workers again"
		}
		f.report(t)
		if !ok {
			t.Errorf("no recovery: %s", f.What)
		}
		f.assertNothingLost(t)
		f.assertRecorded(t)
	})

	// `docker network disconnect` of a worker's container for cutFor,
	// then connect again: connections to it are refused (its published
	// port leads nowhere), its requests go to the other worker, and once
	// it is connected again (on a new published port) it returns to
	// service.
	t.Run("docker-network-disconnect", func(t *testing.T) {
		u, dep := startDocker(t, 2)
		victim, network := "vfx-"+dep+"-2", "vfx-"+dep
		l := startLoad(t, u.base, cutFor+12*time.Second, 8)
		l.waitAnswered(t, 5)
		busy := waitBusy(u.base, victim)
		cut := time.Now()
		if out, err := dockerCmd("network", "disconnect", network, victim); err != nil {
			t.Fatalf("docker network disconnect: %v: %s", err, out)
		}
		time.Sleep(cutFor)
		if out, err := dockerCmd("network", "connect", network, victim); err != nil {
			t.Fatalf("docker network connect: %v: %s", err, out)
		}
		connected := time.Now()
		rec, ok := waitUntil(90*time.Second, func() bool { return readyWorkers(u.base) == 2 })
		f, entries := finish(t, &u.deployment, l)
		f.Busy = busy
		f.victim(l, entries, victim, cut, connected)
		f.Recovery, f.What = rec, "2 ready workers after the network is connected again"
		if !ok {
			f.What = "not 2 ready workers after the network is connected again"
		}
		f.report(t)
		if !ok {
			t.Errorf("no recovery: %s", f.What)
		}
		f.assertNothingLost(t)
		f.assertRecorded(t)
	})
}
