package worker

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/testutil"
)

// TestMain removes the vfx binary the end-to-end tests build (once, on
// first use), and fails a passing run that leaves goroutines behind.
func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Leaks: true})) }

// proc is a running vfx worker process.
type proc struct {
	*testutil.Proc
	base  string // http://127.0.0.1:PORT
	store string // the SQLite file
}

var listenRE = regexp.MustCompile(`msg="worker listening".* addr=(\S+)`)

// startWorker starts `vfx worker` on a free port of 127.0.0.1 with a
// SQLite store in a temporary directory, and waits until it listens.
func startWorker(t *testing.T, args ...string) *proc {
	t.Helper()
	bin := testutil.NeedVFX(t)
	p := &proc{store: filepath.Join(t.TempDir(), "metrics.db")}
	all := append([]string{"worker", "--listen", "127.0.0.1:0", "--store", "sqlite:" + p.store,
		"--id", "e2e-worker", "--sample-interval", "200ms", "--log-level", "debug"}, args...)
	p.Proc = testutil.StartProc(t, exec.Command(bin, all...), 0)
	m := p.WaitOutput(t, listenRE, 30*time.Second)
	p.base = "http://" + m[1]
	return p
}

// stop sends SIGTERM and waits for a clean exit (status 0).
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitExit(t, 0)
}

// waitExit waits for the process to exit with code.
func (p *proc) waitExit(t *testing.T, code int) {
	t.Helper()
	select {
	case <-p.Exited():
	case <-time.After(30 * time.Second):
		t.Fatalf("worker did not exit within 30s\n%s", p.Output())
	}
	if got := p.Cmd.ProcessState.ExitCode(); got != code {
		t.Fatalf("worker exited with %d (%v), want %d\n%s", got, p.Err(), code, p.Output())
	}
}

// records opens the worker's store (after it exited) and returns every
// request record and worker sample.
func (p *proc) records(t *testing.T) ([]metrics.RequestRecord, []metrics.WorkerSample) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, p.store, sqlite.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reqs, err := st.Requests(ctx, metrics.RequestQuery{Limit: metrics.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	samples, err := st.WorkerSamples(ctx, metrics.WorkerQuery{Limit: metrics.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return reqs, samples
}

// status reads the worker's /status.
func getStatus(t *testing.T, base string) StatusReport {
	t.Helper()
	resp, err := http.Get(base + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st StatusReport
	if err := jsonDecode(resp.Body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}
