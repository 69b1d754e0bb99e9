package local

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/provider/providertest"
	"github.com/specialvfx/vfx/internal/testutil"
)

func TestParseRecord(t *testing.T) {
	good := `{"id":"local-3","pid":4242,"address":"http://127.0.0.1:41234","launched_at":"2025-01-02T03:04:05Z","binary":"/usr/bin/vfx"}`
	tests := []struct {
		name, in, errHas string
	}{
		{name: "good", in: good},
		{name: "empty", in: "", errHas: "unexpected end"},
		{name: "not json", in: "pid=3", errHas: "invalid character"},
		{name: "bad id", in: strings.Replace(good, "local-3", "remote-3", 1), errHas: "id \"remote-3\""},
		{name: "leading zero id", in: strings.Replace(good, "local-3", "local-03", 1), errHas: "is not local-N"},
		{name: "pid one", in: strings.Replace(good, "4242", "1", 1), errHas: "pid 1"},
		{name: "remote address", in: strings.Replace(good, "127.0.0.1", "10.0.0.1", 1), errHas: "not http://127.0.0.1:PORT"},
		{name: "bad port", in: strings.Replace(good, "41234", "99999", 1), errHas: "no valid port"},
		{name: "relative binary", in: strings.Replace(good, "/usr/bin/vfx", "vfx", 1), errHas: "not an absolute path"},
		{name: "too large", in: good + strings.Repeat(" ", maxRecordSize), errHas: "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRecord([]byte(tt.in))
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("parseRecord = %+v, %v; want error with %q", r, err, tt.errHas)
				}
				return
			}
			if err != nil || r.ID != "local-3" || r.PID != 4242 || r.Address != "http://127.0.0.1:41234" {
				t.Fatalf("parseRecord = %+v, %v", r, err)
			}
		})
	}
}

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"id":"local-3","pid":4242,"address":"http://127.0.0.1:41234","launched_at":"2025-01-02T03:04:05Z","binary":"/usr/bin/vfx"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"id":"local-0","pid":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRecord(b)
		if err != nil {
			return
		}
		// What parses survives a round trip.
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := parseRecord(out)
		if err != nil || r2.ID != r.ID || r2.PID != r.PID || r2.Address != r.Address || r2.Binary != r.Binary {
			t.Fatalf("round trip of %+v: %+v, %v", r, r2, err)
		}
	})
}

func TestMatchCmdline(t *testing.T) {
	r := record{ID: "local-2", Address: "http://127.0.0.1:5000", Binary: "/opt/vfx"}
	tests := []struct {
		name string
		args []string
		want bool
	}{
		{name: "as launched", args: []string{"/opt/vfx", "worker", "--listen", "127.0.0.1:5000", "--id", "local-2", "--exit-with-parent"}, want: true},
		{name: "equals form", args: []string{"/opt/vfx", "worker", "--listen=127.0.0.1:5000", "--id=local-2"}, want: true},
		{name: "other id", args: []string{"/opt/vfx", "worker", "--listen", "127.0.0.1:5000", "--id", "local-20"}},
		{name: "other port", args: []string{"/opt/vfx", "worker", "--listen", "127.0.0.1:5001", "--id", "local-2"}},
		{name: "other binary", args: []string{"/usr/bin/sleep", "worker", "--listen", "127.0.0.1:5000", "--id", "local-2"}},
		{name: "not a worker", args: []string{"/opt/vfx", "lb", "--listen", "127.0.0.1:5000", "--id", "local-2"}},
		{name: "empty", args: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmdline := []byte(strings.Join(tt.args, "\x00") + "\x00")
			if got := matchCmdline(cmdline, r); got != tt.want {
				t.Errorf("matchCmdline(%q) = %v; want %v", tt.args, got, tt.want)
			}
		})
	}
}

// TestStartUpRemovesStaleFiles covers the files New finds that are not
// live workers: a dead pid, a live pid that is not a worker, an old
// unreadable file; and one it must keep: a fresh empty reservation.
func TestStartUpRemovesStaleFiles(t *testing.T) {
	cfg := testConfig(t)
	files, err := newStateFiles(cfg.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	// A pid that surely exited: a child we reaped.
	dead := testutil.DeadPID(t)
	now := time.Now().UTC()
	for _, r := range []record{
		{ID: "local-1", PID: dead, Address: "http://127.0.0.1:40001", LaunchedAt: now, Binary: vfxBinary},
		{ID: "local-2", PID: os.Getpid(), Address: "http://127.0.0.1:40002", LaunchedAt: now, Binary: vfxBinary},
	} {
		if err := files.write(r); err != nil {
			t.Fatal(err)
		}
	}
	garbage := files.path("local-7")
	if err := os.WriteFile(garbage, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(garbage, old, old); err != nil {
		t.Fatal(err)
	}
	reservation := files.path("local-9")
	if err := os.WriteFile(reservation, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	p := newProvider(t, cfg)
	if l := providertest.ListByID(t, p); len(l) != 0 {
		t.Errorf("adopted %+v from stale files", l)
	}
	for _, id := range []string{"local-1", "local-2", "local-7"} {
		if _, err := os.Stat(files.path(id)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stale %s.json kept: %v", id, err)
		}
	}
	if _, err := os.Stat(reservation); err != nil {
		t.Errorf("fresh reservation removed: %v", err)
	}
	// New ids come after every id seen.
	insts, err := p.Launch(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if insts[0].ID != "local-10" {
		t.Errorf("new id %s; want local-10", insts[0].ID)
	}
	if _, err := os.Stat(filepath.Join(cfg.StateDir, "logs", "local-10.log")); err != nil {
		t.Error(err)
	}
}

func FuzzMatchCmdline(f *testing.F) {
	f.Add([]byte("/opt/vfx\x00worker\x00--listen\x00127.0.0.1:5000\x00--id\x00local-2\x00"), "local-2", "http://127.0.0.1:5000")
	f.Add([]byte("\x00\x00"), "", "")
	f.Add([]byte("/opt/vfx\x00worker\x00--id=local-1\x00--listen=127.0.0.1:1\x00--\x00--id\x00x"), "local-1", "http://127.0.0.1:1")
	f.Fuzz(func(t *testing.T, cmdline []byte, id, address string) {
		r := record{ID: id, Address: address, Binary: "/opt/vfx"}
		if matchCmdline(cmdline, r) && !strings.Contains(string(cmdline), "worker") {
			t.Fatalf("matched %q without a worker argument", cmdline)
		}
	})
}

// TestSaveNextInParallel: parallel launches raise the remembered next id
// to the highest number, never back to a lower one.
func TestSaveNextInParallel(t *testing.T) {
	files, err := newStateFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for n := 2; n <= 40; n++ {
		wg.Go(func() { files.saveNext(n) })
	}
	wg.Wait()
	if got := files.loadNext(); got != 40 {
		t.Errorf("next id %d after saving 2 to 40 in parallel, want 40", got)
	}
}
