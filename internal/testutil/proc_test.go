package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestStartProc(t *testing.T) {
	p := StartProc(t, exec.Command("sh", "-c", "echo starting; echo 'ready on 127.0.0.1:4242' >&2; exec sleep 30"), 0)
	m := p.WaitOutput(t, regexp.MustCompile(`ready on (\S+)`), 10*time.Second)
	if m[1] != "127.0.0.1:4242" {
		t.Errorf("WaitOutput = %q", m)
	}
	if out := p.Output(); !strings.Contains(out, "starting\n") {
		t.Errorf("Output %q lacks the standard output", out)
	}
	p.Kill()
	select {
	case <-p.Exited():
	default:
		t.Fatal("Kill returned before the process exited")
	}
	if p.Err() == nil {
		t.Error("a killed process reports no error")
	}

	done := StartProc(t, exec.Command("sh", "-c", "echo bye"), 0)
	<-done.Exited()
	if err := done.Err(); err != nil || done.Output() != "bye\n" {
		t.Errorf("a process that exits 0: %v, %q", err, done.Output())
	}
}

func TestStartProcEndsItAtCleanup(t *testing.T) {
	var p *Proc
	t.Run("inner", func(t *testing.T) {
		// SIGTERM ends the shell's trap at once, well within the grace.
		p = StartProc(t, exec.Command("sh", "-c", "trap 'exit 3' TERM; echo up; while :; do sleep 0.05; done"), 10*time.Second)
		p.WaitOutput(t, regexp.MustCompile("up"), 10*time.Second)
	})
	select {
	case <-p.Exited():
	default:
		t.Fatal("the process still runs after its test ended")
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit code %d; want 3 (SIGTERM first)", code)
	}
}

func TestWaitOutputFailures(t *testing.T) {
	exits := StartProc(t, exec.Command("sh", "-c", "echo nothing"), 0)
	f := run(func(tb testing.TB) { exits.WaitOutput(tb, regexp.MustCompile("never"), 10*time.Second) })
	if !f.fatal || !strings.Contains(strings.Join(f.errs, ""), "exited") {
		t.Errorf("a process that exits without printing: %q", f.errs)
	}
	quiet := StartProc(t, exec.Command("sleep", "30"), 0)
	f = run(func(tb testing.TB) { quiet.WaitOutput(tb, regexp.MustCompile("never"), 100*time.Millisecond) })
	if !f.fatal || !strings.Contains(strings.Join(f.errs, ""), "did not print") {
		t.Errorf("a process that prints nothing: %q", f.errs)
	}
}

func TestRunScript(t *testing.T) {
	if out := RunScript(t, t.TempDir(), `echo "$GREETING" from "$(basename "$PWD")"`, "GREETING=hello"); !strings.HasPrefix(out, "hello from ") {
		t.Errorf("RunScript = %q", out)
	}
	f := run(func(tb testing.TB) { RunScript(tb, t.TempDir(), "false\necho not reached") })
	if !f.fatal || !strings.Contains(strings.Join(f.errs, ""), "script failed") {
		t.Errorf("a failing script: %q", f.errs)
	}
	if s := ImageScript("blurimage"); !strings.Contains(s, "http://$ADDR/blurimage") || !strings.Contains(s, "mv result.jpg blurimage.jpg") {
		t.Errorf("ImageScript(blurimage) =\n%s", s)
	}
}

func TestPIDs(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("this process is not alive")
	}
	if pid := DeadPID(t); Alive(pid) {
		t.Errorf("DeadPID %d is alive", pid)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "local"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "local", "local-2.json"), []byte(`{"id":"local-2","pid":42}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "local", "owner.lock"), []byte(`{"pid":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := LocalWorkerPIDs(t, dir); len(got) != 1 || got["local-2"] != 42 {
		t.Errorf("LocalWorkerPIDs = %v; want local-2: 42", got)
	}
}
