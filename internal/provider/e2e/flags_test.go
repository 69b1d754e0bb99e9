package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadFlagsLeaveNothing: each bad flag of vfx up fails it before
// anything starts: no worker process, no container, no state directory,
// and its error printed once.
func TestBadFlagsLeaveNothing(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dep := "test-flags-" + randomHex()
	for _, tc := range []struct {
		name string
		args []string
		err  string // the message, printed once
	}{
		{"unknown routing policy", []string{"--policy", "fastest"}, `--policy: unknown balancer policy "fastest"`},
		{"listen address that is no address", []string{"--listen", "nonsense"}, "--listen: "},
		{"taken port", []string{"--listen", taken.Addr().String()}, "--listen " + taken.Addr().String() + ": "},
		{"unknown store", []string{"--store", "bogus:x"}, `--store: "bogus:x": unknown metrics store scheme "bogus"`},
		{"docker with an unknown routing policy", []string{"--provider", "docker", "--deployment", dep, "--policy", "fastest"}, `--policy: unknown balancer policy "fastest"`},
		{"lease timeout of detached workers", []string{"--detach-workers", "--worker-lease-timeout", "10s"}, "--worker-lease-timeout: detached workers hold no lease"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			args := append([]string{"up", "--listen", "127.0.0.1:0", "--state-dir", dir, "--workers", "3"}, tc.args...)
			p := run(t, args...)
			if err := waitExit(t, p, 30*time.Second); err == nil {
				t.Fatal("vfx up exited 0")
			}
			out := p.Output()
			if n := strings.Count(out, tc.err); n != 1 {
				t.Errorf("the error %q printed %d times:\n%s", tc.err, n, out)
			}
			if n := strings.Count(out, "vfx: "); n != 1 || !strings.HasPrefix(out, "vfx: ") {
				t.Errorf("output is not one error:\n%s", out)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("state directory after a refused start: %v", err)
			}
			if pids := processesMentioning(dir); len(pids) > 0 {
				t.Errorf("processes of the refused start still run: %v", pids)
			}
		})
	}
	if cs := deploymentContainers(t, dep); len(cs) != 0 {
		t.Errorf("containers of deployment %s after refused starts: %v", dep, cs)
	}
}
