package testutil

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
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

// LogBuffer collects what a logger writes, safely from many goroutines:
// hand it to slog.NewJSONHandler, then read Lines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Lines parses the JSON log lines written so far (see JSONLogLines).
func (b *LogBuffer) Lines(tb testing.TB) []map[string]any {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	return JSONLogLines(tb, b.buf.Bytes())
}

// JSONLogLines parses the lines slog's JSON handler wrote to b, one map per
// line; a line that is not a JSON object fails tb.
func JSONLogLines(tb testing.TB, b []byte) []map[string]any {
	tb.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
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
