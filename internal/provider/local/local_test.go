package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/owner"
	"github.com/specialvfx/vfx/internal/provider/providertest"
	"github.com/specialvfx/vfx/internal/testutil"
)

// testConfig is a provider configuration on a fresh state directory.
func testConfig(t *testing.T) Config {
	t.Helper()
	return Config{Workers: provider.Workers{
		Binary:      vfxBinary,
		StateDir:    t.TempDir(),
		Store:       "none",
		StopTimeout: 10 * time.Second,
		Logger:      testutil.Logger(t),
	}}
}

// newProvider builds a provider that is closed when the test ends, and
// checks then that none of its workers survive.
func newProvider(t *testing.T, cfg Config) *Provider {
	t.Helper()
	p, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pids := p.pids()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		for _, pid := range pids {
			if alive(pid) {
				t.Errorf("pid %d still running after Close", pid)
			}
		}
	})
	return p
}

// pids lists the processes of the provider's workers.
func (p *Provider) pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, w := range p.workers {
		out = append(out, w.rec.PID)
	}
	return out
}

// waitFor polls cond every 20ms for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, d, 20*time.Millisecond, what, cond)
}

func getHealth(t *testing.T, address string) (int, string) {
	t.Helper()
	return testutil.Get(t, address+"/health", 2*time.Second)
}

// stateFileNames lists the worker state files (<id>.json).
func stateFileNames(t *testing.T, stateDir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(stateDir, "local", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func pidOf(t *testing.T, p *Provider, id string) int {
	t.Helper()
	r, err := readRecord(p.files.path(id))
	if err != nil {
		t.Fatalf("state file of %s: %v", id, err)
	}
	return r.PID
}

func TestLaunchTerminateAdoptClose(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	p1 := newProvider(t, cfg)

	insts, err := p1.Launch(ctx, 2)
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if len(insts) != 2 || insts[0].ID == insts[1].ID {
		t.Fatalf("Launch(2) = %+v", insts)
	}
	waitFor(t, 10*time.Second, "both workers ready", func() bool {
		l := providertest.ListByID(t, p1)
		return l[insts[0].ID].State == lifecycle.Ready && l[insts[1].ID].State == lifecycle.Ready
	})
	pids := map[string]int{}
	for _, in := range insts {
		if !strings.HasPrefix(in.Address, "http://127.0.0.1:") || in.Adopted || in.LaunchedAt.IsZero() {
			t.Errorf("instance %+v: want a fresh worker on 127.0.0.1", in)
		}
		if code, body := getHealth(t, in.Address); code != http.StatusOK || !strings.Contains(body, `"ready"`) {
			t.Errorf("%s /health = %d %q", in.ID, code, body)
		}
		pid := pidOf(t, p1, in.ID)
		pids[in.ID] = pid
		if !alive(pid) {
			t.Errorf("%s: pid %d not running", in.ID, pid)
		}
		if pgid, err := syscall.Getpgid(pid); err != nil || pgid != pid {
			t.Errorf("%s: process group %d, %v; want its own group %d", in.ID, pgid, err, pid)
		}
		if _, err := os.Stat(filepath.Join(cfg.StateDir, "logs", in.ID+".log")); err != nil {
			t.Errorf("%s: log file: %v", in.ID, err)
		}
	}

	// Terminate one: process gone, file removed, no longer listed.
	gone := insts[0]
	if err := p1.Terminate(ctx, gone.ID); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	if alive(pids[gone.ID]) {
		t.Errorf("pid %d still running after Terminate", pids[gone.ID])
	}
	if _, err := os.Stat(p1.files.path(gone.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file of %s after Terminate: %v", gone.ID, err)
	}
	if _, ok := providertest.ListByID(t, p1)[gone.ID]; ok {
		t.Errorf("%s still listed after Terminate", gone.ID)
	}
	if err := p1.Terminate(ctx, gone.ID); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("second Terminate: %v; want ErrNotFound", err)
	}

	// A second provider on the same state directory is refused while the
	// first holds it; once the first is gone, it adopts the survivor.
	kept := insts[1]
	if p, err := New(ctx, cfg); !errors.Is(err, owner.ErrOwned) || !strings.Contains(err.Error(), fmt.Sprintf("state directory %s is owned by a running vfx (pid %d", cfg.StateDir, os.Getpid())) {
		if err == nil {
			p.Close(ctx)
		}
		t.Fatalf("second New while the first runs: %v; want ErrOwned naming this process", err)
	}
	p1.abandon()
	p2 := newProvider(t, cfg)
	l2 := providertest.ListByID(t, p2)
	if len(l2) != 1 {
		t.Fatalf("second provider lists %+v; want only %s", l2, kept.ID)
	}
	if in := l2[kept.ID]; !in.Adopted || in.State != lifecycle.Ready || in.Address != kept.Address || !in.LaunchedAt.Equal(kept.LaunchedAt) {
		t.Errorf("adopted instance %+v; want ready, adopted, %s, launched %v", in, kept.Address, kept.LaunchedAt)
	}
	// New ids never collide with the adopted ones.
	more, err := p2.Launch(ctx, 1)
	if err != nil {
		t.Fatalf("Launch from second provider: %v", err)
	}
	if more[0].ID == kept.ID || more[0].ID == gone.ID {
		t.Errorf("new worker reuses id %s", more[0].ID)
	}
	morePID := pidOf(t, p2, more[0].ID)

	// Close leaves no process and no state file.
	if err := p2.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, pid := range []int{pids[kept.ID], morePID} {
		if alive(pid) {
			t.Errorf("pid %d still running after Close", pid)
		}
	}
	if err := p1.Close(ctx); err != nil {
		t.Fatalf("Close of first provider: %v", err)
	}
	if files := stateFileNames(t, cfg.StateDir); len(files) != 0 {
		t.Errorf("state files left after Close: %v", files)
	}
	if _, err := p1.Launch(ctx, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Launch after Close: %v; want ErrClosed", err)
	}
}

func TestKilledWorkerIsReportedAndNotRestarted(t *testing.T) {
	ctx := context.Background()
	p := newProvider(t, testConfig(t))
	insts, err := p.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	id := insts[0].ID
	pid := pidOf(t, p, id)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The provider observes the exit (it reaps its child) and reports it
	// on the next List, which is where it would replace the worker if it
	// did: once that List has returned, a replacement would be there.
	waitFor(t, 5*time.Second, id+" reported terminated", func() bool {
		return providertest.ListByID(t, p)[id].State == lifecycle.Terminated
	})
	if _, err := os.Stat(p.files.path(id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file of a dead worker: %v", err)
	}
	// Nothing replaces it.
	l := providertest.ListByID(t, p)
	if len(l) != 1 || l[id].State != lifecycle.Terminated {
		t.Errorf("List = %+v; want only %s, terminated", l, id)
	}
	if files := stateFileNames(t, p.cfg.StateDir); len(files) != 0 {
		t.Errorf("state files after the worker died: %v", files)
	}
	// Terminate of a dead worker forgets it.
	if err := p.Terminate(ctx, id); err != nil {
		t.Errorf("Terminate of a dead worker: %v", err)
	}
	if l := providertest.ListByID(t, p); len(l) != 0 {
		t.Errorf("List after Terminate = %+v", l)
	}
}

func TestDeadWorkerForgottenAfterRetention(t *testing.T) {
	cfg := testConfig(t)
	cfg.Retention = 50 * time.Millisecond
	p := newProvider(t, cfg)
	insts, err := p.Launch(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pidOf(t, p, insts[0].ID), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "worker reported terminated", func() bool {
		return providertest.ListByID(t, p)[insts[0].ID].State == lifecycle.Terminated
	})
	waitFor(t, 5*time.Second, "dead worker dropped from the list", func() bool {
		return len(providertest.ListByID(t, p)) == 0
	})
}

// helperWorker is a worker launched by a helper process.
type helperWorker struct {
	pid  int
	addr string
}

// helperOptions configure the parent process startHelper runs.
type helperOptions struct {
	stateDir      string
	detach        bool
	noDeathSignal bool
	lease         time.Duration // the workers' lease timeout (0: the default)
	// controlDir, when not empty, has the helper also launch an attached
	// worker (the default configuration) with that state directory.
	controlDir string
}

// startHelper runs the test binary as a parent that launches one worker
// (two with a control), and returns the helper and its workers, ready.
func startHelper(t *testing.T, o helperOptions) (*exec.Cmd, []helperWorker) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	cmd.Env = append(os.Environ(), helperEnv+"=1", "VFX_HELPER_BINARY="+vfxBinary, "VFX_HELPER_STATE="+o.stateDir,
		"VFX_HELPER_DETACH="+flag(o.detach), "VFX_HELPER_NO_DEATH_SIGNAL="+flag(o.noDeathSignal),
		"VFX_HELPER_CONTROL_STATE="+o.controlDir, "VFX_HELPER_LEASE="+o.lease.String())
	cmd.Stderr = testutil.LogWriter(t)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	n := 1
	if o.controlDir != "" {
		n = 2
	}
	lines := make(chan string, n)
	go func() {
		r := bufio.NewReader(out)
		for range n {
			s, _ := r.ReadString('\n')
			lines <- s
		}
	}()
	var workers []helperWorker
	for range n {
		var s string
		select {
		case s = <-lines:
		case <-time.After(15 * time.Second):
			t.Fatal("helper did not report its workers in 15s")
		}
		var (
			w    helperWorker
			stat string
		)
		if _, err := fmt.Sscan(s, &w.pid, &w.addr, &stat); err != nil {
			t.Fatalf("helper said %q: %v", s, err)
		}
		t.Cleanup(func() { _ = syscall.Kill(w.pid, syscall.SIGKILL) })
		if stat != lifecycle.Ready.String() {
			t.Fatalf("helper's worker is %s; want ready", stat)
		}
		workers = append(workers, w)
	}
	return cmd, workers
}

// cmdline returns the arguments of process pid.
func cmdline(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

func killHelper(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

func TestWorkerExitsWithKilledParent(t *testing.T) {
	tests := []struct {
		name          string
		noDeathSignal bool
	}{
		{name: "as launched"},
		// The worker's own --exit-with-parent watch, without the signal.
		{name: "exit-with-parent flag alone", noDeathSignal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			helper, workers := startHelper(t, helperOptions{stateDir: t.TempDir(), noDeathSignal: tt.noDeathSignal})
			pid := workers[0].pid
			if !alive(pid) {
				t.Fatalf("worker %d not running while its parent is", pid)
			}
			killHelper(t, helper)
			waitFor(t, 5*time.Second, fmt.Sprintf("worker %d to exit after its parent was killed", pid), func() bool {
				return !alive(pid)
			})
		})
	}
}

func TestAdoptDetachedWorkerAfterParentKilled(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	helper, workers := startHelper(t, helperOptions{stateDir: cfg.StateDir, detach: true, controlDir: t.TempDir()})
	pid, addr, control := workers[0].pid, workers[0].addr, workers[1].pid
	if args := cmdline(t, pid); slices.Contains(args, "--exit-with-parent") {
		t.Fatalf("detached worker runs %q", args)
	}
	killHelper(t, helper)
	// The attached worker of the same parent exits: the parent's death
	// has been acted on. The detached one outlives it.
	waitFor(t, 10*time.Second, fmt.Sprintf("attached worker %d to exit after its parent was killed", control), func() bool {
		return !alive(control)
	})
	if code, _ := getHealth(t, addr); code != http.StatusOK || !alive(pid) {
		t.Fatalf("detached worker: /health %d, alive %v", code, alive(pid))
	}
	p := newProvider(t, cfg)
	l := providertest.ListByID(t, p)
	if len(l) != 1 {
		t.Fatalf("List = %+v; want the one adopted worker", l)
	}
	in := l["local-1"]
	if !in.Adopted || in.State != lifecycle.Ready || in.Address != addr {
		t.Fatalf("adopted %+v; want ready, adopted, %s", in, addr)
	}
	if err := p.Terminate(ctx, in.ID); err != nil {
		t.Fatalf("Terminate adopted: %v", err)
	}
	if alive(pid) {
		t.Errorf("adopted worker %d still running after Terminate", pid)
	}
	if _, err := os.Stat(p.files.path(in.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file after Terminate: %v", err)
	}
}

func TestAdoptedWorkerKilledIsReported(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	p1 := newProvider(t, cfg)
	insts, err := p1.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	p1.abandon()
	p2 := newProvider(t, cfg)
	id := insts[0].ID
	if in := providertest.ListByID(t, p2)[id]; !in.Adopted {
		t.Fatalf("not adopted: %+v", in)
	}
	if err := syscall.Kill(pidOf(t, p2, id), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "adopted worker reported terminated", func() bool {
		return providertest.ListByID(t, p2)[id].State == lifecycle.Terminated
	})
}

func TestLaunchRetriesWhenPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := taken.Addr().(*net.TCPAddr).Port
	calls := 0
	cfg := testConfig(t)
	cfg.pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return takenPort, nil
		}
		return freePort()
	}
	p := newProvider(t, cfg)
	insts, err := p.Launch(context.Background(), 1)
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if calls < 2 {
		t.Fatalf("picked %d ports; want a retry after the taken one", calls)
	}
	if strings.HasSuffix(insts[0].Address, fmt.Sprintf(":%d", takenPort)) {
		t.Fatalf("worker reported on the taken port: %+v", insts[0])
	}
	if insts[0].State != lifecycle.Ready {
		t.Errorf("state %s; want ready", insts[0].State)
	}
	if code, _ := getHealth(t, insts[0].Address); code != http.StatusOK {
		t.Errorf("/health = %d", code)
	}
}

func TestLaunchLimits(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxWorkers = 1
	p := newProvider(t, cfg)
	for _, n := range []int{0, -1, 2} {
		if insts, err := p.Launch(context.Background(), n); err == nil {
			t.Errorf("Launch(%d) = %+v; want an error", n, insts)
		}
	}
	if files := stateFileNames(t, cfg.StateDir); len(files) != 0 {
		t.Errorf("refused launches left state files: %v", files)
	}
}

// TestCloseWithEndedContext checks that Close leaves no process behind even
// when its context has already ended (the workers are killed).
func TestCloseWithEndedContext(t *testing.T) {
	ctx := context.Background()
	p, err := New(ctx, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	insts, err := p.Launch(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	pids := []int{pidOf(t, p, insts[0].ID), pidOf(t, p, insts[1].ID)}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Close(ended); !errors.Is(err, context.Canceled) {
		t.Errorf("Close(ended) = %v; want an error saying the grace period was cut", err)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d still running after Close", pid)
		}
	}
	if files := stateFileNames(t, p.cfg.StateDir); len(files) != 0 {
		t.Errorf("state files after Close: %v", files)
	}
}
