package testutil

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is a process a test started with StartProc.
type Proc struct {
	// Cmd is the running command; use Exited and Err rather than Cmd.Wait.
	Cmd *exec.Cmd

	mu     sync.Mutex
	out    bytes.Buffer // standard output and error, interleaved
	exited chan struct{}
	err    error // Cmd.Wait's result, once exited is closed
}

// StartProc starts cmd with its standard output and error collected (see
// Output), failing tb if it cannot start. When the test ends, a process
// still running gets SIGTERM and, if it has not exited within grace,
// SIGKILL (SIGKILL at once when grace is 0); if the test failed, the
// process's output goes to the test log.
func StartProc(tb testing.TB, cmd *exec.Cmd, grace time.Duration) *Proc {
	tb.Helper()
	p := &Proc{Cmd: cmd, exited: make(chan struct{})}
	cmd.Stdout = procWriter{p}
	cmd.Stderr = procWriter{p}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		p.end(grace)
		if tb.Failed() {
			tb.Logf("output of %s:\n%s", strings.Join(cmd.Args, " "), p.Output())
		}
	})
	return p
}

type procWriter struct{ p *Proc }

func (w procWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// Output is everything the process printed so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Exited is closed once the process has exited and been reaped.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Err waits for the process to exit and returns its exit error (nil for
// status 0).
func (p *Proc) Err() error {
	<-p.exited
	return p.err
}

// Kill sends SIGKILL to a process still running and waits for it to exit.
func (p *Proc) Kill() { p.end(0) }

// end stops a process still running: SIGTERM, then SIGKILL after grace
// (at once when grace is 0).
func (p *Proc) end(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	if grace > 0 {
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
			return
		case <-time.After(grace):
		}
	}
	_ = p.Cmd.Process.Kill()
	<-p.exited
}

// WaitOutput waits up to d until the process has printed something that
// matches re, and returns the match and its submatches. It fails tb if the
// process exits first or d passes.
func (p *Proc) WaitOutput(tb testing.TB, re *regexp.Regexp, d time.Duration) []string {
	tb.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.Output()); m != nil {
			return m
		}
		select {
		case <-p.exited:
			tb.Fatalf("process exited (%v) before printing %q:\n%s", p.err, re, p.Output())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatalf("process did not print %q within %s:\n%s", re, d, p.Output())
	return nil
}
