package chaos

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// start runs the vfx binary with args; the process is stopped when the
// test ends if it still runs (SIGTERM, then SIGKILL after 30 s).
func start(t *testing.T, args ...string) *testutil.Proc {
	t.Helper()
	return testutil.StartProc(t, exec.Command(binPath, args...), 30*time.Second)
}

// stop sends SIGTERM to p and waits up to a minute for it to exit: a
// stopped vfx writes its queued records before it exits.
func stop(t *testing.T, p *testutil.Proc) {
	t.Helper()
	select {
	case <-p.Exited():
		return
	default:
	}
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Exited():
	case <-time.After(time.Minute):
		t.Fatalf("%s still running a minute after SIGTERM", strings.Join(p.Cmd.Args[:2], " "))
	}
}

// deployment is what a test sends its load to: the load balancer's URL,
// the SQLite store every process records into, and what stops it all.
type deployment struct {
	base  string // the load balancer's URL
	store string // the SQLite file
	// stop stops every process gracefully, so that their queued records
	// are written.
	stop func(t *testing.T)
}

// upDeployment is a running `vfx up`.
type upDeployment struct {
	deployment
	proc     *testutil.Proc
	stateDir string
}

var upRE = regexp.MustCompile(`is up: (\d+) (?:local workers|workers in Docker containers)[\s\S]*Send requests to (http://\S+),`)

// startUp runs `vfx up` with a fixed pool of n workers on a free port of
// 127.0.0.1, with a temporary state directory and its default store (or
// the --store of args), and waits until it says it is up.
func startUp(t *testing.T, n int, args ...string) *upDeployment {
	t.Helper()
	dir := t.TempDir()
	all := append([]string{"up", "--listen", testutil.NeedFreeAddr(t), "--state-dir", dir,
		"--workers", strconv.Itoa(n), "--log-level", "info"}, args...)
	p := start(t, all...)
	m := p.WaitOutput(t, upRE, 3*time.Minute)
	if m[1] != strconv.Itoa(n) {
		t.Fatalf("vfx up says %s workers are ready, want %d:\n%s", m[1], n, p.Output())
	}
	store := filepath.Join(dir, "metrics.db")
	for i, a := range all {
		if a == "--store" && i+1 < len(all) {
			store = strings.TrimPrefix(all[i+1], "sqlite:")
		}
	}
	u := &upDeployment{proc: p, stateDir: dir}
	u.deployment = deployment{base: m[2], store: store, stop: func(t *testing.T) { stop(t, p) }}
	return u
}

// workerPID is the pid of local worker id ("local-1", …).
func (u *upDeployment) workerPID(t *testing.T, id string) int {
	t.Helper()
	pid, ok := testutil.LocalWorkerPIDs(t, u.stateDir)[id]
	if !ok {
		t.Fatalf("no local worker %s in %s", id, u.stateDir)
	}
	return pid
}

// poolState is the part of the load balancer's /api/v1/state read here.
type poolState struct {
	Workers []struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		InFlight int    `json:"in_flight"`
	} `json:"workers"`
}

// waitBusy waits up to 20 s until worker id (any worker, if id is "") has
// a request in flight, so that the fault about to hit it hits requests
// too, and returns how many it has (0 if none by then: the fault goes
// ahead regardless).
func waitBusy(base, id string) int {
	n := 0
	waitUntil(20*time.Second, func() bool {
		st, err := testutil.GetJSON[poolState](context.Background(), base+"/api/v1/state", 2*time.Second)
		if err != nil {
			return false
		}
		n = 0
		for _, w := range st.Workers {
			if w.ID == id || id == "" {
				n += w.InFlight
			}
		}
		return n > 0
	})
	return n
}

// workerStates reads the state of each worker of the load balancer at
// base, by id; nil if it does not answer.
func workerStates(base string) map[string]string {
	st, err := testutil.GetJSON[poolState](context.Background(), base+"/api/v1/state", 2*time.Second)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, w := range st.Workers {
		out[w.ID] = w.State
	}
	return out
}

// readyWorkers counts the ready workers of the load balancer at base.
func readyWorkers(base string) int {
	n := 0
	for _, s := range workerStates(base) {
		if s == "ready" {
			n++
		}
	}
	return n
}

// waitUntil polls cond every 50 ms for at most d and returns how long it
// took to hold, and whether it did.
func waitUntil(d time.Duration, cond func() bool) (time.Duration, bool) {
	begin := time.Now()
	for !cond() {
		if time.Since(begin) > d {
			return time.Since(begin), false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(begin), true
}

// staticDeployment is `vfx lb --provider static` in front of `vfx
// worker` processes it did not start, all recording into one store, so
// that the load balancer can be killed and restarted while the workers
// run on.
type staticDeployment struct {
	deployment
	lb      *testutil.Proc
	lbAddr  string
	workers []*testutil.Proc
	addrs   []string
}

var lbRE = regexp.MustCompile(`load balancer on (http://\S+) \(policy \S+, provider static, (\d+) workers\)`)

// startStatic starts n workers and a load balancer in front of them.
func startStatic(t *testing.T, n int) *staticDeployment {
	t.Helper()
	d := &staticDeployment{lbAddr: testutil.NeedFreeAddr(t)}
	d.store = filepath.Join(t.TempDir(), "metrics.db")
	for i := range n {
		addr := testutil.NeedFreeAddr(t)
		w := start(t, "worker", "--listen", addr, "--store", "sqlite:"+d.store, "--id", fmt.Sprintf("w%d", i+1))
		w.WaitOutput(t, regexp.MustCompile(`worker listening`), time.Minute)
		d.workers = append(d.workers, w)
		d.addrs = append(d.addrs, "http://"+addr)
	}
	d.startLB(t)
	d.stop = func(t *testing.T) {
		stop(t, d.lb)
		for _, w := range d.workers {
			stop(t, w)
		}
	}
	return d
}

// startLB starts the load balancer on d.lbAddr and waits until it says
// it listens.
func (d *staticDeployment) startLB(t *testing.T) {
	t.Helper()
	d.lb = start(t, "lb", "--provider", "static", "--workers", strings.Join(d.addrs, ","),
		"--listen", d.lbAddr, "--store", "sqlite:"+d.store)
	m := d.lb.WaitOutput(t, lbRE, time.Minute)
	if m[2] != strconv.Itoa(len(d.addrs)) {
		t.Fatalf("vfx lb says %s workers are ready, want %d", m[2], len(d.addrs))
	}
	d.base = m[1]
}
