package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// binPath is the vfx binary TestMain built.
var binPath string

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Binary: &binPath})) }

// up is a running `vfx up` (or any vfx command).
type up struct {
	*testutil.Proc
	base     string // the load balancer's URL
	stateDir string
}

// run starts vfx with args; the process is stopped when the test ends if
// it still runs (SIGTERM, then SIGKILL after 30 s).
func run(t *testing.T, args ...string) *testutil.Proc {
	t.Helper()
	return testutil.StartProc(t, exec.Command(binPath, args...), 30*time.Second)
}

// startUp runs `vfx up` on a free port of 127.0.0.1 with the state
// directory dir and args, and waits until n workers are ready.
func startUp(t *testing.T, dir string, n int, args ...string) *up {
	t.Helper()
	addr := testutil.NeedFreeAddr(t)
	p := run(t, append([]string{"up", "--listen", addr, "--state-dir", dir, "--log-level", "debug"}, args...)...)
	u := &up{Proc: p, base: "http://" + addr, stateDir: dir}
	testutil.WaitFor(t, 90*time.Second, 100*time.Millisecond, fmt.Sprintf("vfx up to have %d ready workers", n), func() bool {
		select {
		case <-p.Exited():
			t.Fatalf("vfx up exited: %v\n%s", p.Err(), p.Output())
		default:
		}
		return u.ready() >= n
	})
	return u
}

// poolState is the part of /api/v1/state these tests read.
type poolState struct {
	Workers []struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		InFlight int    `json:"in_flight"`
		Adopted  bool   `json:"adopted"`
	} `json:"workers"`
}

// state reads the load balancer's state; the zero state if it does not
// answer.
func (u *up) state() poolState {
	st, err := testutil.GetJSON[poolState](context.Background(), u.base+"/api/v1/state", 2*time.Second)
	if err != nil {
		return poolState{}
	}
	return st
}

// ready is the number of ready workers.
func (u *up) ready() int {
	n := 0
	for _, w := range u.state().Workers {
		if w.State == "ready" {
			n++
		}
	}
	return n
}

// inFlight is the number of requests in flight on the workers.
func (u *up) inFlight() int {
	n := 0
	for _, w := range u.state().Workers {
		n += w.InFlight
	}
	return n
}

// signal sends sig to the process.
func (u *up) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := u.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// waitExit waits up to d for the process to exit and returns its error.
func waitExit(t *testing.T, p *testutil.Proc, d time.Duration) error {
	t.Helper()
	select {
	case <-p.Exited():
		return p.Err()
	case <-time.After(d):
		t.Fatalf("still running %s later:\n%s", d, p.Output())
		return nil
	}
}

// workerPIDs reads the pids of the local workers recorded in the state
// directory.
func workerPIDs(t *testing.T, stateDir string) map[string]int {
	return testutil.LocalWorkerPIDs(t, stateDir)
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool { return testutil.Alive(pid) }

// processesMentioning lists the pids of the processes whose command line
// contains s.
func processesMentioning(s string) []int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, f := range procs {
		b, err := os.ReadFile(f)
		if err != nil || !bytes.Contains(b, []byte(s)) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(f, "/proc/%d/cmdline", &pid); err == nil && pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}

// raytrace is a request that renders the seed scene test04 at size×size
// pixels with anti-aliasing: about (size/2048)² × 20 CPU-seconds on one
// core of a 2-core machine.
type raytrace struct {
	size int
	body []byte
}

func newRaytrace(t *testing.T, size int) raytrace {
	t.Helper()
	body, err := json.Marshal(map[string]string{"scene": string(testutil.SeedFile(t, "raytracer/scenes/test04.txt"))})
	if err != nil {
		t.Fatal(err)
	}
	return raytrace{size: size, body: body}
}

// send posts the request to base and returns its status and body once it
// ends (0 and the error if it failed).
func (r raytrace) send(base string) (int, string) {
	url := fmt.Sprintf("%s/raytracer?scols=%d&srows=%d&wcols=%[2]d&wrows=%[3]d&coff=0&roff=0&aa=true", base, r.size, r.size)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(r.body))
	if err != nil {
		return 0, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// result is what a request got.
type result struct {
	status int
	body   string
}

// sendAsync sends r in the background.
func (r raytrace) sendAsync(base string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		st, b := r.send(base)
		ch <- result{st, b}
	}()
	return ch
}
