package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/specialvfx/vfx/internal/testutil"
)

// ttyProc is a process running on a pseudo-terminal, its output collected.
type ttyProc struct {
	cmd  *exec.Cmd
	cols int

	mu     sync.Mutex
	out    bytes.Buffer
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// startOnTerminal starts cmd with its standard input, output and error on
// a pseudo-terminal of cols×24. When the test ends a process still running
// is killed.
func startOnTerminal(tb testing.TB, cmd *exec.Cmd, cols uint16) *ttyProc {
	tb.Helper()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: cols})
	if err != nil {
		tb.Fatalf("start %s on a pseudo-terminal: %v", cmd.Path, err)
	}
	p := &ttyProc{cmd: cmd, cols: int(cols), exited: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		// Reading ends with EIO once every process has closed the terminal.
		_, err := io.Copy(p, f)
		if err != nil && !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrClosed) {
			p.Write([]byte("\r\n[reading the terminal: " + err.Error() + "]"))
		}
	}()
	go func() {
		err := cmd.Wait()
		// Everything written before the exit is read before f is closed.
		select {
		case <-copied:
		case <-time.After(5 * time.Second):
		}
		f.Close()
		p.err = err
		close(p.exited)
	}()
	tb.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if tb.Failed() {
			tb.Logf("screen of %s:\n%s", strings.Join(cmd.Args, " "), strings.Join(p.screen(), "\n"))
		}
	})
	return p
}

func (p *ttyProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// raw is everything the process wrote so far.
func (p *ttyProc) raw() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.out.Bytes())
}

// screen is what the terminal shows now.
func (p *ttyProc) screen() []string { return testutil.Screen(p.raw(), p.cols) }

// wait waits up to d for the process to exit and fails tb unless it
// exits with status 0.
func (p *ttyProc) wait(tb testing.TB, d time.Duration) {
	tb.Helper()
	select {
	case <-p.exited:
	case <-time.After(d):
		tb.Fatalf("%s still running after %v", p.cmd.Args, d)
	}
	if p.err != nil {
		tb.Fatalf("%s: %v", p.cmd.Args, p.err)
	}
}

// waitScreen waits up to d until the screen satisfies cond.
func (p *ttyProc) waitScreen(tb testing.TB, d time.Duration, what string, cond func(screen []string) bool) {
	tb.Helper()
	testutil.WaitFor(tb, d, 20*time.Millisecond, what, func() bool { return cond(p.screen()) })
}
