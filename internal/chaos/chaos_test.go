package chaos

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
)

// Fault durations: a worker frozen and the store locked for half a
// minute, long past every deadline that matters (a worker's 2 s attempt
// floor and 1 s health checks, the store's 5 s busy timeout); the frozen
// worker's deployment gets a lease longer than the freeze, so that it
// comes back rather than leaving when it thaws.
const (
	stopFor = 30 * time.Second // a worker SIGSTOPped
	cutFor  = 8 * time.Second  // a Docker worker's network disconnected (within its lease)
	slowFor = 10 * time.Second // a worker slowed down
	lockFor = 30 * time.Second // the store locked
	fullFor = 10 * time.Second // the store's disk full
)

// TestChaos injects one fault per subtest into a deployment under a
// steady mixed load, and checks that no request is lost where a worker
// fails and no answered request is missing from the store once it
// recovers. Each subtest logs its figures in one line ("chaos
// TestChaos/NAME: sent …").
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos suite runs real deployments for about three minutes")
	}
	// A worker SIGKILLed while it serves: its requests in flight are
	// retried on the others, and the fixed pool replaces it.
	t.Run("worker-sigkill", func(t *testing.T) {
		u := startUp(t, 3)
		l := startLoad(t, u.base, 15*time.Second, 1)
		l.waitAnswered(t, 5)
		pid := u.workerPID(t, "local-2")
		busy := waitBusy(u.base, "local-2")
		killed := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		rec, ok := waitUntil(45*time.Second, func() bool {
			st := workerStates(u.base)
			return st["local-2"] != "ready" && readyWorkers(u.base) == 3
		})
		f, entries := finish(t, &u.deployment, l)
		f.Busy = busy
		f.victim(l, entries, "local-2", killed, killed)
		f.Recovery, f.What = rec, "the pool has 3 ready workers again"
		if !ok {
			f.What = "the pool did not have 3 ready workers again"
		}
		f.report(t)
		if !ok {
			t.Errorf("no recovery: %s", f.What)
		}
		f.assertNothingLost(t)
		f.assertRecorded(t)
	})

	// A worker frozen (SIGSTOP) for half a minute: the requests it holds
	// are hedged on the others once their attempt deadline passes, it gets
	// no new ones, and the pool is whole again: the autoscaler replaces a
	// worker unhealthy for replace_after (10 s), stopping it with SIGTERM
	// then SIGKILL, so the frozen worker is usually gone when the test
	// would thaw it (SIGCONT finds no process) and a new one serves in its
	// place; if it is still there, it returns to service once thawed.
	t.Run("worker-sigstop", func(t *testing.T) {
		u := startUp(t, 3, "--worker-lease-timeout", "2m")
		l := startLoad(t, u.base, stopFor+12*time.Second, 2)
		l.waitAnswered(t, 5)
		pid := u.workerPID(t, "local-2")
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
		busy := waitBusy(u.base, "local-2")
		stopped := time.Now()
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(stopFor)
		err := syscall.Kill(pid, syscall.SIGCONT)
		replaced := errors.Is(err, syscall.ESRCH)
		if err != nil && !replaced {
			t.Fatal(err)
		}
		resumed := time.Now()
		back := func() bool { return workerStates(u.base)["local-2"] == "ready" }
		what := "local-2 ready again after SIGCONT"
		if replaced {
			back = func() bool {
				_, there := workerStates(u.base)["local-2"]
				return !there && readyWorkers(u.base) == 3
			}
			what = "local-2 replaced while frozen: 3 workers ready again"
		}
		rec, ok := waitUntil(45*time.Second, back)
		f, entries := finish(t, &u.deployment, l)
		f.Busy = busy
		f.victim(l, entries, "local-2", stopped, resumed)
		f.Recovery, f.What = rec, what
		if !ok {
			f.What = "not recovered: " + what
		}
		f.report(t)
		if !ok {
			t.Errorf("no recovery: %s", f.What)
		}
		f.assertNothingLost(t)
		f.assertRecorded(t)
	})

	// A slow worker: frozen 400 ms of every 500 ms for slowFor, it works
	// at a fifth of its speed; requests it is too slow for are hedged.
	t.Run("slow-worker", func(t *testing.T) {
		u := startUp(t, 3)
		l := startLoad(t, u.base, slowFor+10*time.Second, 3)
		l.waitAnswered(t, 5)
		pid := u.workerPID(t, "local-2")
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
		busy := waitBusy(u.base, "local-2")
		slowed := time.Now()
		for end := slowed.Add(slowFor); time.Now().Before(end); {
			_ = syscall.Kill(pid, syscall.SIGSTOP)
			time.Sleep(400 * time.Millisecond)
			_ = syscall.Kill(pid, syscall.SIGCONT)
			time.Sleep(100 * time.Millisecond)
		}
		rec, ok := waitUntil(45*time.Second, func() bool { return readyWorkers(u.base) == 3 })
		f, entries := finish(t, &u.deployment, l)
		f.Busy = busy
		f.victim(l, entries, "local-2", slowed, slowed.Add(slowFor))
		f.Recovery, f.What = rec, "3 ready workers after the slowdown"
		if !ok {
			f.What = "not 3 ready workers after the slowdown"
		}
		f.report(t)
		if !ok {
			t.Errorf("no recovery: %s", f.What)
		}
		f.assertNothingLost(t)
		f.assertRecorded(t)
	})

	// The load balancer SIGKILLed and restarted on the same address,
	// workers running on: the requests in flight at the kill and those
	// sent while it is down fail visibly (connection reset or refused),
	// none hangs, and every request answered has its records — the
	// workers' attempt records cover the final records the killed load
	// balancer had not written yet.
	t.Run("lb-sigkill-restart", func(t *testing.T) {
		d := startStatic(t, 2)
		l := startLoad(t, d.base, 18*time.Second, 4)
		l.waitAnswered(t, 10)
		busy := waitBusy(d.base, "")
		killed := time.Now()
		d.lb.Kill()
		d.startLB(t)
		rec := time.Since(killed)
		f, _ := finish(t, &d.deployment, l)
		f.Busy, f.Victim = busy, "the load balancer"
		f.Recovery, f.What = rec, "SIGKILL to a restarted load balancer listening"
		f.report(t)
		if f.Lost != 0 {
			t.Errorf("%d requests got no answer and no error: every request in flight at the kill must fail visibly", f.Lost)
		}
		if f.MissingAll != 0 {
			t.Errorf("%d answered requests have no record at all in the store", f.MissingAll)
		}
		if f.OK == 0 {
			t.Error("no request answered with 2xx")
		}
	})

	// The store locked by another process (an exclusive SQLite
	// transaction) for lockFor: records wait in the recorders' queues and
	// are written once the lock is released.
	t.Run("store-locked", func(t *testing.T) {
		u := startUp(t, 2)
		l := startLoad(t, u.base, lockFor+12*time.Second, 5)
		l.waitAnswered(t, 5)
		storeFault(t, u, l, lockFor, lockStore(t, u.store), "release")
	})

	// The store's file system full for fullFor (a small tmpfs filled up):
	// records wait in the queues and are written once space is freed.
	t.Run("disk-full", func(t *testing.T) {
		dir := mountTmpfs(t, "16m")
		u := startUp(t, 2, "--store", "sqlite:"+filepath.Join(dir, "metrics.db"))
		l := startLoad(t, u.base, fullFor+12*time.Second, 6)
		l.waitAnswered(t, 5)
		storeFault(t, u, l, fullFor, fillDisk(t, dir), "space freed")
	})
}

// storeFault lets a store fault, already in place, last d under the load,
// ends it (end), and checks that the records of the requests answered
// meanwhile were held back, then written: recovery is measured from the
// end of the fault (named by what) to the last of them recorded.
func storeFault(t *testing.T, u *upDeployment, l *load, d time.Duration, end func(), what string) {
	t.Helper()
	time.Sleep(d)
	answered := l.sink.all()
	waiting, err := heldBack(u.store, answered)
	if err != nil {
		t.Fatal(err)
	}
	end()
	rec, ok := waitRecorded(u.store, answered)
	f, _ := finish(t, &u.deployment, l)
	f.Waiting = waiting
	f.Recovery, f.What = rec, what+" to every request answered meanwhile recorded"
	if !ok {
		f.What = "requests answered meanwhile still not recorded"
	}
	f.report(t)
	if !ok {
		t.Errorf("no recovery: %s", f.What)
	}
	f.assertNothingLost(t)
	f.assertHeldBack(t)
	f.assertRecorded(t)
}

// finish waits for the load to end, stops the deployment gracefully and
// counts the figures and the records missing from its store.
func finish(t *testing.T, d *deployment, l *load) (figures, []trace.Entry) {
	t.Helper()
	entries := l.wait(t)
	f := count(entries)
	f.SlowestDecision = decisionOf(d.base, slowest(entries))
	d.stop(t)
	checkRecords(t, &f, d.store, entries)
	return f, entries
}

// waitRecorded waits up to a minute until every answered request of
// entries has its final record in the store, and returns how long that
// took.
func waitRecorded(store string, entries []trace.Entry) (time.Duration, bool) {
	return waitUntil(time.Minute, func() bool {
		n, _, err := missing(store, entries)
		return err == nil && n == 0
	})
}

// assertRecorded fails t if an answered request has no final record.
func (f figures) assertRecorded(t *testing.T) {
	t.Helper()
	if f.Missing != 0 {
		t.Errorf("%d of %d answered requests have no final record in the store", f.Missing, f.Answered)
	}
}

// assertHeldBack fails t if the store's fault held back no record: then
// the test tested nothing.
func (f figures) assertHeldBack(t *testing.T) {
	t.Helper()
	if f.Waiting == 0 {
		t.Error("no answered request was waiting for its record when the store recovered: the fault did not hold the store")
	}
}
