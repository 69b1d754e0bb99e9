package testutil

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// LocalWorkerPIDs reads the pids of the local provider's workers, by
// worker id, from their state files in stateDir/local (one <id>.json
// each, with "id" and "pid").
func LocalWorkerPIDs(tb testing.TB, stateDir string) map[string]int {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(stateDir, "local", "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	pids := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var rec struct {
			ID  string `json:"id"`
			PID int    `json:"pid"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		pids[rec.ID] = rec.PID
	}
	return pids
}

// Alive reports whether pid is a running (not zombie) process.
func Alive(pid int) bool {
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

// DeadPID returns the pid of a process that has exited and been reaped:
// a child that ran /bin/true.
func DeadPID(tb testing.TB) int {
	tb.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := p.Wait(); err != nil {
		tb.Fatal(err)
	}
	return p.Pid
}
