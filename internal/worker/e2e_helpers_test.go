package worker

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	_ "github.com/specialvfx/vfx/internal/metrics/sqlite"
)

// binDir holds the vfx binary the end-to-end tests build (once, on first
// use); TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// vfxBinary builds ./cmd/vfx once and returns its path.
var vfxBinary = sync.OnceValues(func() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "vfx-worker-e2e-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "vfx")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/vfx")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/vfx: %v\n%s", err, out)
	}
	return bin, nil
})

func needBinary(t *testing.T) string {
	t.Helper()
	bin, err := vfxBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// needTools fails the test unless every tool is on PATH.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: the end-to-end test runs the original client scripts with it (apt-get install curl jq bsdextrautils)", tool)
		}
	}
}

// proc is a running vfx worker process.
type proc struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	store  string // the SQLite file
	mu     sync.Mutex
	log    bytes.Buffer
	exited chan struct{}
	err    error // Wait's result, after exited is closed
}

var listenRE = regexp.MustCompile(`msg="worker listening".* addr=(\S+)`)

// startWorker starts `vfx worker` on a free port of 127.0.0.1 with a
// SQLite store in a temporary directory, and waits until it listens.
func startWorker(t *testing.T, args ...string) *proc {
	t.Helper()
	bin := needBinary(t)
	p := &proc{store: filepath.Join(t.TempDir(), "metrics.db"), exited: make(chan struct{})}
	all := append([]string{"worker", "--listen", "127.0.0.1:0", "--store", "sqlite:" + p.store,
		"--id", "e2e-worker", "--sample-interval", "200ms", "--log-level", "debug"}, args...)
	p.cmd = exec.Command(bin, all...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("worker log:\n%s", p.logText())
		}
	})
	select {
	case a := <-addr:
		p.base = "http://" + a
	case <-p.exited:
		t.Fatalf("worker exited before listening: %v\n%s", p.err, p.logText())
	case <-time.After(30 * time.Second):
		t.Fatalf("worker did not listen within 30s\n%s", p.logText())
	}
	return p
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM and waits for a clean exit (status 0).
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.waitExit(t, 0)
}

// waitExit waits for the process to exit with code.
func (p *proc) waitExit(t *testing.T, code int) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("worker did not exit within 30s\n%s", p.logText())
	}
	if got := p.cmd.ProcessState.ExitCode(); got != code {
		t.Fatalf("worker exited with %d (%v), want %d\n%s", got, p.err, code, p.logText())
	}
}

// records opens the worker's store (after it exited) and returns every
// request record and worker sample.
func (p *proc) records(t *testing.T) ([]metrics.RequestRecord, []metrics.WorkerSample) {
	t.Helper()
	ctx := context.Background()
	st, err := metrics.OpenWith(ctx, "sqlite:"+p.store, metrics.OpenOptions{MustExist: true})
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

// runScript runs a bash script in dir with env, failing the test with its
// output if it fails.
func runScript(t *testing.T, dir, script string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
	return string(out)
}

// copyFile copies a seed file into dir.
func copySeed(t *testing.T, rel, dir string) {
	t.Helper()
	b := seedFile(t, rel)
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(rel)), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
