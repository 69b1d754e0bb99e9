package chaos

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/trace"
)

// recordedIDs reads the request ids of the store's records: those with a
// record saying what the client got (final or direct), and those with any
// record at all. An error if the store cannot be read.
func recordedIDs(path string) (outcome, anyRec map[string]bool, err error) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{MustExist: true})
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	outcome, anyRec = map[string]bool{}, map[string]bool{}
	recs, err := s.Requests(ctx, metrics.RequestQuery{Limit: metrics.MaxLimit})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range recs {
		anyRec[r.RequestID] = true
		if r.Role == metrics.RoleFinal || r.Role == metrics.RoleDirect {
			outcome[r.RequestID] = true
		}
	}
	return outcome, anyRec, nil
}

// missing counts the answered requests of entries without a final record
// in the store at path, and those without any record.
func missing(path string, entries []trace.Entry) (final, all int, err error) {
	outcome, anyRec, err := recordedIDs(path)
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		if e.Status == 0 {
			continue
		}
		if !outcome[e.RequestID] {
			final++
		}
		if !anyRec[e.RequestID] {
			all++
		}
	}
	return final, all, nil
}

// heldBack counts the answered requests of entries without a final
// record in the store at path while the store is faulty: it reads the
// table with a plain SELECT, which needs none of the locks or the room a
// write (or sqlite.Open, which migrates) needs.
func heldBack(path string, entries []trace.Entry) (int, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT request_id FROM requests WHERE role IN (?, ?)`,
		string(metrics.RoleFinal), string(metrics.RoleDirect))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		stored[id] = true
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.Status != 0 && !stored[e.RequestID] {
			n++
		}
	}
	return n, nil
}

// checkRecords fills in f's records missing from the store once every
// process has stopped.
func checkRecords(t *testing.T, f *figures, store string, entries []trace.Entry) {
	t.Helper()
	var err error
	if f.Missing, f.MissingAll, err = missing(store, entries); err != nil {
		t.Fatal(err)
	}
}

// lockStore takes the write lock of the SQLite file at path (BEGIN
// EXCLUSIVE on a connection of its own) and returns what releases it.
func lockStore(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "PRAGMA busy_timeout = 30000"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		_ = conn.Close()
		_ = db.Close()
	}
	t.Cleanup(release)
	return release
}

// mountTmpfs mounts a tmpfs of the given size (mount's size= option) on a
// new directory, unmounted when the test ends. A test that needs it skips
// when the process is not root: only root mounts a file system here.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("filling a disk needs a small file system of its own: mounting a tmpfs needs root (euid %d)", os.Geteuid())
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mounting a %s tmpfs on %s as root: %v", size, dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// fillDisk writes a file in dir until its file system has no room left,
// and returns what frees it again.
func fillDisk(t *testing.T, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			break
		}
	}
	// The last bytes, a page at a time.
	small := buf[:4096]
	for {
		if _, err := f.Write(small); err != nil {
			break
		}
	}
	return func() {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Error(err)
		}
	}
}
