package e2etest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/testutil"
)

// call sends a request with an optional bearer token and returns the
// status, the headers and the body.
func call(t *testing.T, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// stateWith reads /api/v1/state with the admin token.
func stateWith(t *testing.T, base, token string) proxy.State {
	t.Helper()
	status, _, body := call(t, "GET", base+"/api/v1/state", token, "")
	if status != 200 {
		t.Fatalf("state: %d %s", status, body)
	}
	var st proxy.State
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// readyWorker is the pool's ready worker other than not, once there is
// one.
func readyWorker(t *testing.T, base, token, not string) proxy.WorkerInfo {
	t.Helper()
	var w proxy.WorkerInfo
	testutil.WaitFor(t, 60*time.Second, 50*time.Millisecond, "a ready worker other than "+not, func() bool {
		for _, x := range stateWith(t, base, token).Workers {
			if x.State == lifecycle.Ready && x.ID != not {
				w = x
				return true
			}
		}
		return false
	})
	return w
}

const smallRay = "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0&aa=false"

// TestUpWithTokens runs `vfx up` with an admin token and a worker token,
// both from files, and checks every door: the state and admin endpoints
// and /metrics need the admin token, the workers serve only requests with
// the worker token (the load balancer's), /health stays open, CORS is on
// the compute paths only, a drain and new bounds through the admin API
// take effect, and no token shows on a command line, in an answer or in
// a log line of the run.
func TestUpWithTokens(t *testing.T) {
	const (
		adminToken  = "e2e-admin-token-6c0f1b9a2d"
		workerToken = "e2e-worker-token-9d4e7a31c5"
	)
	dir := t.TempDir()
	adminFile, workerFile := filepath.Join(dir, "admin.token"), filepath.Join(dir, "worker.token")
	for f, tok := range map[string]string{adminFile: adminToken, workerFile: workerToken} {
		if err := os.WriteFile(f, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stateDir := t.TempDir()
	p := start(t, "up", "--listen", testutil.NeedFreeAddr(t), "--state-dir", stateDir, "--workers", "1",
		"--log-level", "debug", "--admin-token-file", adminFile, "--worker-token-file", workerFile)
	base := p.WaitOutput(t, regexp.MustCompile(`is up: 1 local worker[\s\S]*Send requests to (http://\S+),`), 60*time.Second)[1]
	scene, _ := json.Marshal(map[string]string{"scene": string(testutil.SeedFile(t, "raytracer/scenes/test01.txt"))})

	var answers []string
	keep := func(status int, h http.Header, body string) (int, http.Header, string) {
		answers = append(answers, fmt.Sprint(h), body)
		return status, h, body
	}
	// The load balancer.
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		cors                            bool
	}{
		{"state without a token", "GET", "/api/v1/state", "", "", 401, false},
		{"state with a wrong token", "GET", "/api/v1/state", "not-the-admin-token-123", "", 401, false},
		{"state with the worker token", "GET", "/api/v1/state", workerToken, "", 401, false},
		{"state with the admin token", "GET", "/api/v1/state", adminToken, "", 200, false},
		{"metrics without a token", "GET", "/metrics", "", "", 401, false},
		{"metrics with the admin token", "GET", "/metrics", adminToken, "", 200, false},
		{"bounds without a token", "PUT", "/api/v1/autoscaler", "", `{"min": 1, "max": 2}`, 401, false},
		{"health", "GET", "/health", "", "", 200, false},
		{"preflight", "OPTIONS", "/raytracer", "", "", 204, true},
		{"ray trace", "POST", smallRay, "", string(scene), 200, true},
	} {
		status, h, body := keep(call(t, tc.method, base+tc.path, tc.token, tc.body))
		if status != tc.status {
			t.Errorf("load balancer, %s: %d %q, want %d", tc.name, status, body, tc.status)
		}
		if cors := h.Get("Access-Control-Allow-Origin") == "*"; cors != tc.cors {
			t.Errorf("load balancer, %s: Access-Control-Allow-Origin %q", tc.name, h.Get("Access-Control-Allow-Origin"))
		}
	}

	// The worker, reached directly.
	w := readyWorker(t, base, adminToken, "")
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"ray trace without a token", "POST", smallRay, "", string(scene), 401},
		{"ray trace with a wrong token", "POST", smallRay, "not-the-worker-token-123", string(scene), 401},
		{"ray trace with the admin token", "POST", smallRay, adminToken, string(scene), 401},
		{"ray trace with the worker token", "POST", smallRay, workerToken, string(scene), 200},
		{"status without a token", "GET", "/status", "", "", 401},
		{"health without a token", "GET", "/health", "", "", 200},
	} {
		if status, _, body := keep(call(t, tc.method, w.Address+tc.path, tc.token, tc.body)); status != tc.status {
			t.Errorf("worker, %s: %d %q, want %d", tc.name, status, body, tc.status)
		}
	}

	// The admin actions: new bounds, then a drain; the autoscaler
	// replaces the drained worker.
	if status, _, body := keep(call(t, "PUT", base+"/api/v1/autoscaler", adminToken, `{"min": 1, "max": 2}`)); status != 200 {
		t.Fatalf("new bounds: %d %s", status, body)
	}
	if status, _, body := keep(call(t, "PUT", base+"/api/v1/autoscaler", adminToken, `{"min": 3, "max": 2}`)); status != 400 || !strings.Contains(body, "max: must be ≥ min (3), got 2") {
		t.Errorf("bounds 3–2: %d %s", status, body)
	}
	if status, _, body := keep(call(t, "POST", base+"/api/v1/workers/"+w.ID+"/drain", adminToken, "")); status != 202 {
		t.Fatalf("drain: %d %s", status, body)
	}
	next := readyWorker(t, base, adminToken, w.ID)
	testutil.WaitFor(t, 60*time.Second, 50*time.Millisecond, "the drained worker to leave the pool", func() bool {
		for _, x := range stateWith(t, base, adminToken).Workers {
			if x.ID == w.ID {
				return false
			}
		}
		return true
	})
	if status, _, body := keep(call(t, "POST", base+smallRay, "", string(scene))); status != 200 {
		t.Errorf("ray trace on %s after the drain: %d %s", next.ID, status, body)
	}
	_, _, body := keep(call(t, "GET", base+"/api/v1/autoscaler", adminToken, ""))
	var as struct {
		Config struct{ Min, Max int }
	}
	if err := json.Unmarshal([]byte(body), &as); err != nil || as.Config.Min != 1 || as.Config.Max != 2 {
		t.Errorf("the autoscaler does not show the new bounds 1–2: %v %s", err, body)
	}
	keep(call(t, "GET", base+"/api/v1/state", adminToken, ""))

	// No command line shows a token, and the workers got theirs through
	// their environment.
	pids := workerPIDs(t, stateDir)
	for id, pid := range pids {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if strings.Contains(string(cmdline), workerToken) || strings.Contains(string(cmdline), adminToken) {
			t.Errorf("worker %s's command line shows a token: %q", id, cmdline)
		}
		if alive(pid) && !strings.Contains(string(environ), "VFX_WORKER_TOKEN="+workerToken) {
			t.Errorf("worker %s has no VFX_WORKER_TOKEN in its environment", id)
		}
	}
	if cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.Cmd.Process.Pid)); strings.Contains(string(cmdline), workerToken) || strings.Contains(string(cmdline), adminToken) {
		t.Errorf("vfx up's command line shows a token: %q", cmdline)
	}

	p.stop(t, syscall.SIGTERM, 60*time.Second)
	waitGone(t, pids, 5*time.Second)

	// Nothing the run wrote or answered shows a token: its own output at
	// debug level, the workers' logs, the state files.
	written := []string{p.Output()}
	_ = filepath.WalkDir(stateDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(path, ".db") && !strings.Contains(path, ".db-") {
			b, _ := os.ReadFile(path)
			written = append(written, string(b))
		}
		return nil
	})
	for _, s := range append(written, answers...) {
		for _, tok := range []string{adminToken, workerToken} {
			if strings.Contains(s, tok) {
				i := strings.Index(s, tok)
				t.Errorf("a token shows in the run's output or answers: …%s…", s[max(0, i-200):min(len(s), i+len(tok)+50)])
			}
		}
	}
	if !strings.Contains(p.Output(), "worker drained through the admin API") || !strings.Contains(p.Output(), "autoscaler bounds changed") {
		t.Errorf("the admin actions are not logged:\n%s", p.Output())
	}
}

// TestUpStateDirFromConfig: with a state_dir in --autoscale-config and no
// --state-dir, `vfx up` keeps everything there, its banner names that
// directory, and the `vfx metrics` command it prints works from any
// directory.
func TestUpStateDirFromConfig(t *testing.T) {
	stateDir := filepath.Join(t.TempDir(), "from-config")
	cfg := filepath.Join(t.TempDir(), "autoscaler.yaml")
	if err := os.WriteFile(cfg, []byte("state_dir: "+stateDir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cwd := t.TempDir()
	cmd := exec.Command(binPath, "up", "--listen", testutil.NeedFreeAddr(t), "--workers", "1", "--autoscale-config", cfg)
	cmd.Dir = cwd
	p := &proc{testutil.StartProc(t, cmd, 30*time.Second)}
	m := p.WaitOutput(t, regexp.MustCompile(`Send requests to (http://\S+),[\s\S]*Records:  (vfx metrics requests --store \S+)\n[\s\S]*Data:     (\S+) `), 60*time.Second)
	base, metricsCmd, dataDir := m[1], m[2], m[3]
	if dataDir != stateDir {
		t.Errorf("the banner names %s, want the configuration's %s", dataDir, stateDir)
	}
	scene, _ := json.Marshal(map[string]string{"scene": string(testutil.SeedFile(t, "raytracer/scenes/test01.txt"))})
	if status, _, body := call(t, "POST", base+smallRay, "", string(scene)); status != 200 {
		t.Fatalf("ray trace: %d %s", status, body)
	}
	p.stop(t, syscall.SIGTERM, 60*time.Second)
	for _, f := range []string{"metrics.db", "VMState.xml", "ASState.xml", "logs"} {
		if _, err := os.Stat(filepath.Join(stateDir, f)); err != nil {
			t.Errorf("%s is not in the configuration's state directory: %v", f, err)
		}
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("vfx up wrote into its working directory: %v", entries)
	}
	// The printed command, as a user pastes it in another terminal.
	run := exec.Command("sh", "-c", strings.Replace(metricsCmd, "vfx", binPath, 1)+" --format csv")
	run.Dir = t.TempDir()
	out, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "raytracer") {
		t.Errorf("%s: %v\n%s", metricsCmd, err, out)
	}
}
