package testutil

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestJSONLogLines(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&b, nil))
	log.Info("first", "n", 1)
	log.Error("second", "from", "a", "to", "b")
	lines := JSONLogLines(t, b.Bytes())
	if len(lines) != 2 || lines[0]["msg"] != "first" || lines[0]["n"] != 1.0 ||
		lines[1]["level"] != "ERROR" || lines[1]["from"] != "a" || lines[1]["to"] != "b" {
		t.Fatalf("lines %v", lines)
	}
	f := run(func(tb testing.TB) { JSONLogLines(tb, []byte("{\"msg\":\"ok\"}\nlevel=INFO msg=text\n")) })
	if !f.fatal || len(f.errs) != 1 || !strings.Contains(f.errs[0], `log line "level=INFO msg=text"`) {
		t.Fatalf("a line that is not JSON: fatal %v, errors %q", f.fatal, f.errs)
	}
}

func TestLogBufferFromManyGoroutines(t *testing.T) {
	var b LogBuffer
	log := slog.New(slog.NewJSONHandler(&b, nil))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				log.Info("line", "writer", i)
			}
		})
	}
	wg.Wait()
	lines := b.Lines(t)
	per := map[float64]int{}
	for _, l := range lines {
		per[l["writer"].(float64)]++
	}
	if len(lines) != 400 || len(per) != 8 {
		t.Fatalf("%d lines from %d writers, want 400 from 8", len(lines), len(per))
	}
}
