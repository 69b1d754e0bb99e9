package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestCtrlCFinishesRequests: the first Ctrl-C says how many requests it
// finishes and how to stop now, the request in flight completes with 200,
// and the log says it was finished, not handed back.
func TestCtrlCFinishesRequests(t *testing.T) {
	u := startUp(t, t.TempDir(), 1, "--workers", "1", "--worker-arg=--threads=1")
	done := newRaytrace(t, 512).sendAsync(u.base)
	testutil.WaitFor(t, 30*time.Second, 20*time.Millisecond, "the request in flight", func() bool { return u.inFlight() == 1 })
	u.signal(t, syscall.SIGINT)
	u.WaitOutput(t, regexp.MustCompile(`stopping: finishing 1 request \(Ctrl-C again to stop now\)`), 30*time.Second)
	if r := <-done; r.status != http.StatusOK {
		t.Errorf("the request in flight got %d %.200q; want 200", r.status, r.body)
	}
	if err := waitExit(t, u.Proc, 60*time.Second); err != nil {
		t.Errorf("vfx up: %v", err)
	}
	out := u.Output()
	if !regexp.MustCompile(`msg="requests running at shutdown finished" finished=1 handed_back=0 `).MatchString(out) || strings.Contains(out, "handed back with 503") {
		t.Errorf("the log does not say the one request was finished and none handed back:\n%s", out)
	}
}

// TestSecondCtrlCStopsNow: a second Ctrl-C during the shutdown's wait for
// a long request stops now: the request is handed back with 503, the
// worker is killed, vfx up exits, and the log says one request was handed
// back and none finished.
func TestSecondCtrlCStopsNow(t *testing.T) {
	dir := t.TempDir()
	u := startUp(t, dir, 1, "--workers", "1", "--worker-arg=--threads=1", "--shutdown-timeout", "5m")
	pids := workerPIDs(t, dir)
	// About 20 CPU-seconds: far longer than the stop takes.
	done := newRaytrace(t, 2048).sendAsync(u.base)
	testutil.WaitFor(t, 30*time.Second, 20*time.Millisecond, "the request in flight", func() bool { return u.inFlight() == 1 })
	u.signal(t, syscall.SIGINT)
	u.WaitOutput(t, regexp.MustCompile(`stopping: finishing 1 request \(Ctrl-C again to stop now\)`), 30*time.Second)
	u.signal(t, syscall.SIGINT)
	r := <-done
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "shutting down") {
		t.Errorf("the request in flight got %d %.200q; want 503, handed back", r.status, r.body)
	}
	if err := waitExit(t, u.Proc, 60*time.Second); err != nil {
		t.Errorf("vfx up: %v", err)
	}
	out := u.Output()
	if !strings.Contains(out, "stopping now:") ||
		!regexp.MustCompile(`msg="requests still running at shutdown were handed back with 503" finished=0 handed_back=1 `).MatchString(out) {
		t.Errorf("the log does not say the request was handed back:\n%s", out)
	}
	if alive(pids["local-1"]) {
		t.Errorf("worker pid %d still running after vfx up exited", pids["local-1"])
	}
}
