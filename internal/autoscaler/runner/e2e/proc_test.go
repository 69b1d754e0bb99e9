package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler/runner"
	"github.com/specialvfx/vfx/internal/testutil"
)

// up is a running `vfx up`.
type up struct {
	*testutil.Proc
	base string // http://127.0.0.1:PORT
	dir  string // its --state-dir

	mu   sync.Mutex
	pids map[string]int // every worker seen: id → pid
}

// startUp runs `vfx up` on a free port with a temporary state directory
// and the extra args, and waits until the load balancer has a ready
// worker. The process is stopped (SIGKILL if need be) when the test ends.
func startUp(t *testing.T, args ...string) *up {
	t.Helper()
	dir := t.TempDir()
	addr := testutil.NeedFreeAddr(t)
	u := &up{base: "http://" + addr, dir: dir, pids: map[string]int{}}
	all := append([]string{"up", "--listen", addr, "--state-dir", dir,
		"--store", "sqlite:" + filepath.Join(dir, "metrics.db")}, args...)
	cmd := exec.Command(vfxBinary, all...)
	cmd.Dir = dir
	u.Proc = testutil.StartProc(t, cmd, 0)
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := u.state(t.Context())
		if err == nil && countState(st, "ready") >= 1 {
			return u
		}
		select {
		case <-u.Exited():
			t.Fatalf("vfx up exited at start-up: %v", u.Err())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready worker 30 s after start (last error %v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (u *up) stop(t *testing.T, timeout time.Duration) {
	t.Helper()
	if err := u.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-u.Exited():
		if err := u.Err(); err != nil {
			t.Errorf("vfx up exited with %v after SIGTERM", err)
		}
	case <-time.After(timeout):
		t.Fatalf("vfx up still running %v after SIGTERM", timeout)
	}
}

// lbState is the part of GET /api/v1/state the tests read.
type lbState struct {
	Workers []struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		InFlight int    `json:"in_flight"`
	} `json:"workers"`
	Autoscaler *runner.Status `json:"autoscaler"`
}

func (u *up) state(ctx context.Context) (lbState, error) {
	return testutil.GetJSON[lbState](ctx, u.base+"/api/v1/state", 5*time.Second)
}

// countState counts the workers in state s.
func countState(st lbState, s string) int {
	n := 0
	for _, w := range st.Workers {
		if w.State == s {
			n++
		}
	}
	return n
}

// poolSize counts the workers that are part of the pool: not draining.
func poolSize(st lbState) int { return len(st.Workers) - countState(st, "draining") }

// notePIDs records the pid of every worker the local provider has a state
// file for (<state dir>/…/local/<id>.json).
func (u *up) notePIDs() {
	_ = filepath.WalkDir(u.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(filepath.Dir(path)) != "local" || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		var rec struct {
			ID  string `json:"id"`
			PID int    `json:"pid"`
		}
		if json.Unmarshal(data, &rec) == nil && rec.ID != "" && rec.PID > 1 {
			u.mu.Lock()
			u.pids[rec.ID] = rec.PID
			u.mu.Unlock()
		}
		return nil
	})
}

// stateFile is the path of the local provider's state file of worker id,
// "" if there is none.
func (u *up) stateFile(id string) string {
	var found string
	_ = filepath.WalkDir(u.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(path)) == "local" && filepath.Base(path) == id+".json" {
			found = path
		}
		return nil
	})
	return found
}

func (u *up) workerPIDs() map[string]int {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]int, len(u.pids))
	for k, v := range u.pids {
		out[k] = v
	}
	return out
}

// workerAlive reports whether pid is still the worker id: a live process
// (not a zombie) whose command line names the id.
func workerAlive(pid int, id string) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("\x00"+id+"\x00")) && !bytes.HasSuffix(cmdline, []byte("\x00"+id)) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false
	}
	return true
}
