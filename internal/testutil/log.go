package testutil

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// LogWriter returns an io.Writer that logs every write to tb, without its
// trailing newlines.
func LogWriter(tb testing.TB) io.Writer { return tbWriter{tb} }

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(b []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// Logger returns a text logger that writes to tb's log.
func Logger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(LogWriter(tb), nil))
}

// WaitFor checks cond every interval until it holds, and fails tb once d
// has passed without it ("timed out after d waiting for what").
func WaitFor(tb testing.TB, d, interval time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(interval)
	}
}
