package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider/owner"
	"github.com/specialvfx/vfx/internal/provider/providertest"
)

// abandon leaves the state directory as a killed owner would: its lock
// released (the kernel releases a dead process's) and no lease renewed,
// its workers running. Close still terminates what it launched.
func (p *Provider) abandon() {
	p.stopRenewing()
	<-p.renewing
	_ = p.lock.Release()
}

// TestSecondOwnerRefused: while a provider holds a state directory, a
// second one (of another owner) is refused, naming the first, and touches
// nothing: the first one's worker keeps running and serving.
func TestSecondOwnerRefused(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.Owner = owner.Self("http://127.0.0.1:8123", time.Now())
	p1 := newProvider(t, cfg)
	insts, err := p1.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, p1, insts[0].ID)

	second := testConfig(t)
	second.StateDir = cfg.StateDir
	p2, err := New(ctx, second)
	if err == nil {
		p2.Close(ctx)
		t.Fatal("a second provider on a held state directory started")
	}
	var he *owner.HeldError
	if !errors.Is(err, owner.ErrOwned) || !errors.As(err, &he) || !he.Owner.Same(cfg.Owner) {
		t.Fatalf("second New: %v; want a HeldError naming the first owner", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(msg, "load balancer http://127.0.0.1:8123") {
		t.Errorf("refusal %q: want one line with the owner's pid and address", msg)
	}
	if o, held := owner.Peek(LockPath(cfg.StateDir)); !held || !o.Same(cfg.Owner) {
		t.Errorf("Peek = %+v, %v; want the first owner", o, held)
	}
	if !alive(pid) {
		t.Fatal("the first provider's worker died")
	}
	if l := providertest.ListByID(t, p1); l[insts[0].ID].State != lifecycle.Ready {
		t.Errorf("the first provider's worker is %s", l[insts[0].ID].State)
	}
	if code, _ := getHealth(t, insts[0].Address); code != http.StatusOK {
		t.Errorf("the first provider's worker answers /health %d", code)
	}
}

// TestLeaseKeepsWorkersOfALiveOwner: the provider renews its workers'
// leases, so they outlive their lease timeout several times over; the
// workers it launches hold a lease, detached ones none.
func TestLeaseKeepsWorkersOfALiveOwner(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.LeaseTimeout = 2 * time.Second
	p := newProvider(t, cfg)
	insts, err := p.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, p, insts[0].ID)
	if args := cmdline(t, pid); !slices.Contains(args, "--lease-timeout") || !slices.Contains(args, "2s") {
		t.Errorf("worker runs %q; want --lease-timeout 2s", args)
	}
	// The lease timeout passes two and a half times: the renewed worker
	// still serves. (The time passing is the subject here.)
	time.Sleep(5 * cfg.LeaseTimeout / 2)
	if code, body := getHealth(t, insts[0].Address); code != http.StatusOK || !alive(pid) {
		t.Fatalf("renewed worker after 2.5 lease timeouts: /health %d %q, alive %v", code, body, alive(pid))
	}

	dcfg := testConfig(t)
	dcfg.Detach = true
	d := newProvider(t, dcfg)
	dinsts, err := d.Launch(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if args := cmdline(t, pidOf(t, d, dinsts[0].ID)); slices.Contains(args, "--lease-timeout") {
		t.Errorf("detached worker runs %q; want no lease", args)
	}
}

// TestWorkerExitsWhenItsOwnerStopsRenewing: a worker whose owner is
// frozen (SIGSTOP: alive, so neither the parent-death signal nor
// --exit-with-parent fires) stops receiving renewals and exits by itself
// within its lease timeout.
func TestWorkerExitsWhenItsOwnerStopsRenewing(t *testing.T) {
	const lease = 2 * time.Second
	helper, workers := startHelper(t, helperOptions{stateDir: t.TempDir(), lease: lease})
	pid := workers[0].pid
	if err := helper.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = helper.Process.Signal(syscall.SIGCONT) })
	waitFor(t, lease+10*time.Second, fmt.Sprintf("worker %d to exit once its frozen owner stopped renewing its lease", pid), func() bool {
		return !alive(pid)
	})
}

// TestStaleLockTakenOver: the lock of an owner that was killed is taken
// over and its detached worker adopted.
func TestStaleLockTakenOver(t *testing.T) {
	cfg := testConfig(t)
	helper, workers := startHelper(t, helperOptions{stateDir: cfg.StateDir, detach: true})
	o, held := owner.Peek(LockPath(cfg.StateDir))
	if !held || o.PID != helper.Process.Pid {
		t.Fatalf("Peek = %+v, %v; want the helper (pid %d)", o, held, helper.Process.Pid)
	}
	if _, err := New(context.Background(), cfg); !errors.Is(err, owner.ErrOwned) {
		t.Fatalf("New while the helper runs: %v; want ErrOwned", err)
	}
	killHelper(t, helper)
	p := newProvider(t, cfg)
	if prev, ok := p.lock.Previous(); !ok || prev.PID != helper.Process.Pid {
		t.Errorf("previous owner %+v, %v; want the killed helper", prev, ok)
	}
	if in := providertest.ListByID(t, p)["local-1"]; !in.Adopted || in.State != lifecycle.Ready || in.Address != workers[0].addr {
		t.Errorf("adopted %+v; want the helper's worker at %s, ready", in, workers[0].addr)
	}
}
