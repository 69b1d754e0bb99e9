package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestSecondUpRefused: a second `vfx up` on a state directory another one
// runs on refuses in one line naming the running one (its pid and
// address), whether it asks for another port or the same; the first loses
// nothing: its request in flight completes with 200 and its worker keeps
// running.
func TestSecondUpRefused(t *testing.T) {
	dir := t.TempDir()
	first := startUp(t, dir, 1, "--workers", "1", "--worker-arg=--threads=1")
	pids := workerPIDs(t, dir)
	if len(pids) != 1 {
		t.Fatalf("worker state files: %v", pids)
	}
	done := newRaytrace(t, 800).sendAsync(first.base)
	testutil.WaitFor(t, 30*time.Second, 50*time.Millisecond, "the request in flight on the first vfx up", func() bool { return first.inFlight() == 1 })

	owner := fmt.Sprintf("pid %d", first.Cmd.Process.Pid)
	for _, tc := range []struct {
		name, listen string
		want         *regexp.Regexp
	}{
		{"another port", testutil.NeedFreeAddr(t), regexp.MustCompile(`^vfx: state directory ` + regexp.QuoteMeta(dir) +
			` is owned by a running vfx \(` + owner + ` on [^,]+, load balancer ` + regexp.QuoteMeta(first.base) + `, since [^)]+\): stop it first, or give this one another --state-dir\n$`)},
		{"the same port", strings.TrimPrefix(first.base, "http://"), regexp.MustCompile(`^vfx: --listen ` + regexp.QuoteMeta(strings.TrimPrefix(first.base, "http://")) +
			`: .*address already in use: the vfx that owns state directory ` + regexp.QuoteMeta(dir) + ` is there \(` + owner + ` on [^,]+, load balancer ` + regexp.QuoteMeta(first.base) + `, since [^)]+\)\n$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			second := run(t, "up", "--listen", tc.listen, "--state-dir", dir, "--workers", "1")
			if err := waitExit(t, second, 30*time.Second); err == nil {
				t.Fatal("the second vfx up exited 0")
			}
			if out := second.Output(); !tc.want.MatchString(out) {
				t.Errorf("the second vfx up printed:\n%s\nwant one line matching %s", out, tc.want)
			}
		})
	}

	r := <-done
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "data:image/bmp;base64,") {
		t.Errorf("the first vfx up's request in flight got %d %.200q; want 200 and an image", r.status, r.body)
	}
	if got := workerPIDs(t, dir); len(got) != 1 || got["local-1"] != pids["local-1"] || !alive(pids["local-1"]) {
		t.Errorf("workers after the refusals %v (alive %v); want local-1, pid %d, still running", got, alive(pids["local-1"]), pids["local-1"])
	}
	if out := first.Output(); strings.Contains(out, "exited on its own") || strings.Contains(out, "worker terminated") {
		t.Errorf("the first vfx up lost a worker:\n%s", out)
	}
	first.signal(t, syscall.SIGTERM)
	if err := waitExit(t, first.Proc, 60*time.Second); err != nil {
		t.Errorf("the first vfx up: %v", err)
	}
}

// TestKilledOwnerTakenOver: the lock of a `vfx up` that was killed
// (SIGKILL) is taken over by the next one on the state directory, which
// adopts the worker it left (started with --detach-workers to outlive it).
func TestKilledOwnerTakenOver(t *testing.T) {
	dir := t.TempDir()
	first := startUp(t, dir, 1, "--workers", "1", "--detach-workers")
	pids := workerPIDs(t, dir)
	first.Kill()

	second := startUp(t, dir, 1, "--workers", "1")
	out := second.Output()
	if !strings.Contains(out, "taking over the state directory from an owner that is gone") || !strings.Contains(out, fmt.Sprintf("pid %d", first.Cmd.Process.Pid)) {
		t.Errorf("the second vfx up does not say it took over from pid %d:\n%s", first.Cmd.Process.Pid, out)
	}
	st := second.state()
	if len(st.Workers) != 1 || st.Workers[0].ID != "local-1" || !st.Workers[0].Adopted {
		t.Errorf("workers %+v; want local-1, adopted", st.Workers)
	}
	if got := workerPIDs(t, dir); got["local-1"] != pids["local-1"] {
		t.Errorf("worker pids %v; want local-1 still pid %d", got, pids["local-1"])
	}
	second.signal(t, syscall.SIGTERM)
	if err := waitExit(t, second.Proc, 60*time.Second); err != nil {
		t.Errorf("vfx up: %v", err)
	}
	if alive(pids["local-1"]) {
		t.Errorf("adopted worker pid %d still running after vfx up stopped", pids["local-1"])
	}
}
