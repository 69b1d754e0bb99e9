package e2etest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/trace"
)

// binPath is the vfx binary TestMain built.
var binPath string

func TestMain(m *testing.M) { os.Exit(testutil.Main(m, testutil.MainOptions{Binary: &binPath})) }

var upRE = regexp.MustCompile(`is up: .*\n[\s\S]*Send requests to (http://\S+),`)

// TestLoadAgainstUp: vfx load sends the course mix through a real
// load balancer and its worker; its trace has one successful entry per
// request, each the final outcome the load balancer recorded.
func TestLoadAgainstUp(t *testing.T) {
	const n = 12
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "metrics.db")
	up := testutil.StartProc(t, exec.Command(binPath, "up", "--listen", testutil.NeedFreeAddr(t), "--state-dir", dir,
		"--workers", "1", "--store", store, "--log-level", "warn"), 30*time.Second)
	base := up.WaitOutput(t, upRE, 60*time.Second)[1]

	out := filepath.Join(dir, "run.jsonl")
	load := exec.Command(binPath, "load", base, "--preset", "course", "--data", testutil.SeedPath(t, "."), "--rate", "4", "--count", "12",
		"--seed", "11", "--out", out, "--format", "json")
	stdout, err := load.Output()
	if err != nil {
		t.Fatalf("vfx load: %v\n%s", err, stderrOf(err))
	}
	var sum struct {
		Sent int `json:"sent"`
		Rows []struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
			OK    int    `json:"ok"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(stdout, &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, stdout)
	}
	all := sum.Rows[len(sum.Rows)-1]
	if sum.Sent != n || all.Name != "all" || all.Count != n || all.OK != n {
		t.Errorf("summary: sent %d, all %+v; want %d sent and answered", sum.Sent, all, n)
	}

	entries, err := trace.ReadFile(out, trace.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d trace entries, want %d", len(entries), n)
	}
	ids := map[string]bool{}
	for i, e := range entries {
		if e.Seq != i || !e.OK() || e.Worker == "" || e.RequestID == "" || e.Units <= 0 || e.Latency <= 0 || e.Item == "" {
			t.Errorf("entry %d: %+v", i, e)
		}
		ids[e.RequestID] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct request ids in %d entries", len(ids), n)
	}

	// Once vfx up has stopped (and flushed its store), each request id of
	// the trace is a final record with status 200.
	if err := up.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := up.Err(); err != nil {
		t.Fatalf("vfx up: %v", err)
	}
	b, err := exec.Command(binPath, "metrics", "requests", "--store", store, "--role", "final", "--format", "json").Output()
	if err != nil {
		t.Fatalf("vfx metrics: %v\n%s", err, stderrOf(err))
	}
	final := map[string]int{} // one JSON object per line
	for dec := json.NewDecoder(bytes.NewReader(b)); dec.More(); {
		var r struct {
			RequestID string `json:"request_id"`
			Status    int    `json:"status"`
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("records: %v\n%s", err, b)
		}
		final[r.RequestID] = r.Status
	}
	for id := range ids {
		if final[id] != 200 {
			t.Errorf("request %s of the trace: final record status %d", id, final[id])
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
