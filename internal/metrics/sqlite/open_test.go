package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

func TestParseRest(t *testing.T) {
	cases := []struct {
		name, rest string
		path       string
		busy       time.Duration
		err        string
	}{
		{"relative path", "vfx-data/metrics.db", "vfx-data/metrics.db", 0, ""},
		{"absolute path", "/var/lib/vfx/m.db", "/var/lib/vfx/m.db", 0, ""},
		{"busy timeout", "m.db?busy_timeout=30s", "m.db", 30 * time.Second, ""},
		{"spaces and percent kept", "my dir/100%.db", "my dir/100%.db", 0, ""},
		{"empty", "", "", 0, "empty path"},
		{"only options", "?busy_timeout=1s", "", 0, "empty path"},
		{"memory", ":memory:", "", 0, "not a file path"},
		{"uri", "file:m.db?mode=memory", "", 0, "not a file path"},
		{"unknown option", "m.db?mode=ro", "", 0, `unknown option "mode"`},
		{"bad duration", "m.db?busy_timeout=soon", "", 0, "busy_timeout"},
		{"zero duration", "m.db?busy_timeout=0s", "", 0, "outside"},
		{"huge duration", "m.db?busy_timeout=1000h", "", 0, "outside"},
		{"bad escape", "m.db?busy_timeout=%zz", "", 0, "options"},
		{"nul byte", "m\x00.db", "", 0, "NUL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, o, err := ParseRest(c.rest)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseRest(%q) error %v, want one containing %q", c.rest, err, c.err)
				}
				return
			}
			if err != nil || path != c.path || o.BusyTimeout != c.busy {
				t.Fatalf("ParseRest(%q) = %q, %+v, %v; want %q, busy %v", c.rest, path, o, err, c.path, c.busy)
			}
		})
	}
}

func FuzzParseRest(f *testing.F) {
	for _, s := range []string{"m.db", "a/b/c.db?busy_timeout=1s", ":memory:", "file:x", "?", "x?busy_timeout=-1s&busy_timeout=2s", "%%?%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		path, o, err := ParseRest(rest)
		if err != nil {
			return
		}
		if path == "" || strings.ContainsAny(path, "?\x00") || strings.HasPrefix(path, "file:") || path == ":memory:" {
			t.Fatalf("ParseRest(%q) accepted path %q", rest, path)
		}
		if o.BusyTimeout < 0 || o.BusyTimeout > MaxBusyTimeout {
			t.Fatalf("ParseRest(%q) accepted busy timeout %v", rest, o.BusyTimeout)
		}
		if !strings.HasPrefix(rest, path) {
			t.Fatalf("ParseRest(%q) = path %q, not a prefix of the input", rest, path)
		}
	})
}

func TestOpenCreatesParentDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "metrics.db")
	mustOpen(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the store file was not created: %v", err)
	}
}

func TestMustExist(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "missing.db")
	_, err := Open(ctx, path, Options{MustExist: true})
	if !errors.Is(err, metrics.ErrNotExist) {
		t.Fatalf("Open of a missing file with MustExist: error %v, want ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open with MustExist created the directory (stat: %v)", err)
	}
	_, err = metrics.Openers{"sqlite": OpenURL}.OpenWith(ctx, "sqlite:"+path, metrics.OpenOptions{MustExist: true})
	if !errors.Is(err, metrics.ErrNotExist) {
		t.Fatalf("metrics.Openers.OpenWith of a missing file with MustExist: error %v, want ErrNotExist", err)
	}
	existing := tempPath(t)
	mustOpen(t, existing).Close()
	s, err := Open(ctx, existing, Options{MustExist: true})
	if err != nil {
		t.Fatalf("Open of an existing file with MustExist: %v", err)
	}
	_ = s.Close()
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "not-a-db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("this is not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(dir, "file")
	if err := os.WriteFile(aFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		path string
		o    Options
		want string
	}{
		{"directory", ctx, dir, Options{}, "is a directory"},
		{"not a database", ctx, notDB, Options{}, "not a database"},
		{"parent is a file", ctx, filepath.Join(aFile, "m.db"), Options{}, "not a directory"},
		{"question mark", ctx, filepath.Join(dir, "a?b.db"), Options{}, "'?'"},
		{"negative busy timeout", ctx, tempPath(t), Options{BusyTimeout: -time.Second}, "busy timeout"},
		{"cancelled", cancelled, tempPath(t), Options{}, "context canceled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(c.ctx, c.path, c.o)
			if err == nil {
				_ = s.Close()
				t.Fatalf("Open(%q) succeeded, want an error containing %q", c.path, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open(%q) error %q, want one containing %q", c.path, err, c.want)
			}
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	s := mustOpen(t, path)
	rec := metrics.RequestRecord{
		Key: "keep-1", Role: metrics.RoleFinal, RequestID: "req-1", ClientRequestID: "c-1", Attempts: 2,
		Time:     time.Date(2024, 5, 2, 10, 0, 0, 987654321, time.UTC),
		Features: workload.Features{Kind: workload.Enhance, Width: 960, Height: 686, Format: "jpg"},
		Units:    12345, CPU: time.Millisecond, Wall: 2 * time.Millisecond, Outcome: metrics.OutcomeOK, Status: 200,
	}
	sample := metrics.WorkerSample{Time: rec.Time, WorkerID: "w1", Health: lifecycle.Ready, CPUPercent: 12.5}
	dec := metrics.Decision{Time: rec.Time, Policy: "p", Action: lifecycle.ActionAdd, From: 1, To: 2}
	if err := errors.Join(
		s.AppendRequests(ctx, []metrics.RequestRecord{rec}),
		s.AppendWorkerSamples(ctx, []metrics.WorkerSample{sample}),
		s.AppendDecisions(ctx, []metrics.Decision{dec}),
	); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, path)
	r, err1 := s2.Requests(ctx, metrics.RequestQuery{})
	w, err2 := s2.WorkerSamples(ctx, metrics.WorkerQuery{})
	d, err3 := s2.Decisions(ctx, metrics.DecisionQuery{})
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || r[0] != rec || len(w) != 1 || w[0] != sample || len(d) != 1 || d[0] != dec {
		t.Errorf("after reopening:\nrequests %+v\nsamples %+v\ndecisions %+v", r, w, d)
	}
}
