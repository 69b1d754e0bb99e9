package sqlite

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
)

// mountTmpfs mounts a tmpfs of the given size (mount's size= option, e.g.
// "2m") on a new directory and unmounts it when the test ends.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("this test fills a small file system: mounting a %s tmpfs on %s failed: %v "+
			"(it needs root, or CAP_SYS_ADMIN, as on the development machines and in CI)", size, dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// fillDisk writes a file in dir until the file system has no room left
// and returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return path
		}
	}
}

// TestRecorderOutlastsAFullDisk: the store's file system is full. Records
// wait in the recorder's queue, those beyond the queue's bound are dropped
// and counted, and once space is freed every queued record is written.
func TestRecorderOutlastsAFullDisk(t *testing.T) {
	dir := mountTmpfs(t, "2m")
	path := filepath.Join(dir, "metrics.db")
	s := mustOpen(t, path)
	filler := fillDisk(t, dir)

	o := recorderOptions
	o.QueueLen = 400
	r := metrics.NewRecorder(s, o, slog.New(slog.NewTextHandler(testutil.LogWriter(t), nil)))
	// 400 records of about 1 KiB: far more than the room the database and
	// its write-ahead log already have.
	for i := range o.QueueLen {
		r.Request(attemptRecord(i, 1024))
	}
	waitWriteErrors(t, r, 5)
	// The queue is full (or nearly: a small write may have fitted in the
	// log's free pages): these are dropped and counted.
	const extra = 50
	for i := o.QueueLen; i < o.QueueLen+extra; i++ {
		r.Request(attemptRecord(i, 1024))
	}
	st := r.Stats()
	if st.Full == 0 || st.Full > extra || st.Invalid+st.AfterClose+st.Unwritten != 0 {
		t.Fatalf("with the disk full and the queue at its bound: %+v, want up to %d dropped as queue full and nothing else", st, extra)
	}
	var counted int64
	for _, d := range r.Drops() {
		if d.Kind == metrics.KindRequest && d.Reason == metrics.DropQueueFull {
			counted = d.Count
		}
	}
	if counted != st.Full {
		t.Errorf("Drops counts %d requests dropped as queue full, Stats %d", counted, st.Full)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	closeRecorder(t, r)
	st = r.Stats()
	if st.Written+st.Full != int64(o.QueueLen+extra) || st.Unwritten != 0 {
		t.Errorf("after space was freed: %+v, want every record written or counted as dropped", st)
	}
	countStored(t, s, int(st.Written), 0)
}
