package e2etest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/proxy"
)

var (
	binPath string // the vfx binary TestMain built
	root    string // the repository root
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	root, err = repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2etest:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "vfx-lb-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2etest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "vfx")
	cmd := exec.Command("go", "build", "-o", binPath, "./cmd/vfx")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2etest: go build ./cmd/vfx: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// repoRoot is the directory of go.mod above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// seed is the path of a seed-data file (../shared/seed-data from the
// repository root).
func seed(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(root, "..", "shared", "seed-data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("seed data: %v", err)
	}
	return p
}

func seedBytes(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(seed(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: the end-to-end tests run the original client scripts with it (apt-get install curl jq bsdextrautils)", tool)
		}
	}
}

// freeAddr is a free 127.0.0.1 port.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// proc is a vfx process the test started.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer // stdout and stderr
	exited chan struct{}
	err    error
}

func (p *proc) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

type lockedWriter struct{ p *proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// start runs the vfx binary with args; the process is killed at the end of
// the test if it is still running.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binPath, args...), exited: make(chan struct{})}
	p.cmd.Stdout = lockedWriter{p}
	p.cmd.Stderr = lockedWriter{p}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(30 * time.Second):
				p.cmd.Process.Kill()
				<-p.exited
			}
		}
		if t.Failed() {
			t.Logf("output of vfx %s:\n%s", strings.Join(args, " "), p.text())
		}
	})
	return p
}

// waitOutput waits until the process printed something matching re.
func (p *proc) waitOutput(t *testing.T, re *regexp.Regexp, d time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.text()); m != nil {
			return m
		}
		select {
		case <-p.exited:
			t.Fatalf("process exited (%v) before printing %q:\n%s", p.err, re, p.text())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("process did not print %q within %s:\n%s", re, d, p.text())
	return nil
}

// stop sends sig and waits for the process to exit, failing unless it
// exits with status 0 within d.
func (p *proc) stop(t *testing.T, sig syscall.Signal, d time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(d):
		t.Fatalf("process still running %s after %v", d, sig)
	}
	if p.err != nil {
		t.Fatalf("process exited with %v after %v:\n%s", p.err, sig, p.text())
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
	all := append([]string{"up", "--listen", freeAddr(t), "--state-dir", dir,
		"--workers", strconv.Itoa(workers), "--log-level", "debug"}, args...)
	p := start(t, all...)
	m := p.waitOutput(t, upRE, 60*time.Second)
	if m[1] != strconv.Itoa(workers) {
		t.Fatalf("vfx up says %s workers are ready, want %d:\n%s", m[1], workers, p.text())
	}
	return &up{proc: p, base: m[2], stateDir: dir}
}

// workerPIDs reads the pids of the local workers from the state directory.
func workerPIDs(t *testing.T, stateDir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(stateDir, "local", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			ID  string `json:"id"`
			PID int    `json:"pid"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pids[rec.ID] = rec.PID
	}
	return pids
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

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
	resp, err := http.Get(base + "/api/v1/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st proxy.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
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

// runScript runs a bash script in dir.
func runScript(t *testing.T, dir, script string, env ...string) {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script failed: %v\n--- script\n%s\n--- output\n%s", err, script, out)
	}
}

func copySeed(t *testing.T, rel, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(rel)), seedBytes(t, rel), 0o644); err != nil {
		t.Fatal(err)
	}
}

func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := dataurl.Decode(b, dataurl.DefaultLimits())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// assertClose checks two images have the same size and differ by at most
// 1 per channel on at most 0.1% of pixels (the ray tracer's golden
// tolerance).
func assertClose(t *testing.T, name string, got, want image.Image) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("%s: size %v, want %v", name, got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	off := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := got.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			d := max(absDiff(r1>>8, r2>>8), absDiff(g1>>8, g2>>8), absDiff(b1>>8, b2>>8))
			if d > 1 {
				t.Fatalf("%s: pixel (%d,%d) differs by %d", name, x, y, d)
			}
			if d == 1 {
				off++
			}
		}
	}
	if n := b.Dx() * b.Dy(); off*1000 > n {
		t.Errorf("%s: %d of %d pixels differ by 1, more than 0.1%%", name, off, n)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
