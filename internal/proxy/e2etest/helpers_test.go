package e2etest

import (
	"fmt"
	"image"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/testutil"
)

// binPath is the vfx binary TestMain built.
var binPath string

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Binary: &binPath})) }

// proc is a vfx process the test started.
type proc struct{ *testutil.Proc }

// start runs the vfx binary with args; the process is stopped at the end
// of the test if it is still running (SIGTERM, then SIGKILL after 30s).
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return &proc{testutil.StartProc(t, exec.Command(binPath, args...), 30*time.Second)}
}

// stop sends sig and waits for the process to exit, failing unless it
// exits with status 0 within d.
func (p *proc) stop(t *testing.T, sig syscall.Signal, d time.Duration) {
	t.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Exited():
	case <-time.After(d):
		t.Fatalf("process still running %s after %v", d, sig)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("process exited with %v after %v:\n%s", err, sig, p.Output())
	}
}

var upRE = regexp.MustCompile(`is up: (\d+) local workers[\s\S]*Send requests to (http://\S+),`)

// up is a running `vfx up`.
type up struct {
	*proc
	base     string
	stateDir string
}

// startUp runs `vfx up` as a user would, on a free port with a temporary
// state directory, and waits until it says it is up.
func startUp(t *testing.T, workers int, args ...string) *up {
	t.Helper()
	dir := t.TempDir()
	all := append([]string{"up", "--listen", testutil.NeedFreeAddr(t), "--state-dir", dir,
		"--workers", strconv.Itoa(workers), "--log-level", "debug"}, args...)
	p := start(t, all...)
	m := p.WaitOutput(t, upRE, 60*time.Second)
	if m[1] != strconv.Itoa(workers) {
		t.Fatalf("vfx up says %s workers are ready, want %d:\n%s", m[1], workers, p.Output())
	}
	return &up{proc: p, base: m[2], stateDir: dir}
}

// workerPIDs reads the pids of the local workers from the state directory.
func workerPIDs(t *testing.T, stateDir string) map[string]int {
	return testutil.LocalWorkerPIDs(t, stateDir)
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool { return testutil.Alive(pid) }

// waitGone waits until none of pids is alive.
func waitGone(t *testing.T, pids map[string]int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var left []string
		for id, pid := range pids {
			if alive(pid) {
				left = append(left, fmt.Sprintf("%s (pid %d)", id, pid))
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range pids {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			t.Fatalf("workers still running %s later: %v", d, left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// state reads the load balancer's /api/v1/state.
func state(t *testing.T, base string) proxy.State {
	t.Helper()
	st, err := testutil.GetJSON[proxy.State](t.Context(), base+"/api/v1/state", 0)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := codec.Decode(b, codec.DefaultLimits())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// assertSameImage checks two images have exactly the same pixels (see
// testutil.ImagesEqual).
func assertSameImage(t *testing.T, name string, got, want image.Image) {
	t.Helper()
	if err := testutil.ImagesEqual(got, want); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
