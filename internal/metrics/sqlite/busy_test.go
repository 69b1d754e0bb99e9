package sqlite

import (
	"context"
	"testing"
	"time"
)

// holdLock takes the write lock of path's database from another store's
// connection and returns a function that releases it.
func holdLock(t *testing.T, path string) (release func()) {
	t.Helper()
	s := mustOpen(t, path)
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		_ = conn.Close()
	}
}

func TestOpenWaitsForALockedFile(t *testing.T) {
	path := tempPath(t)
	release := holdLock(t, path)
	// The timer is how long the file stays locked, not a synchronisation:
	// Open must succeed whether the lock goes before it begins or while it
	// waits (up to its 5s busy timeout).
	time.AfterFunc(150*time.Millisecond, release)
	s, err := Open(context.Background(), path, Options{BusyTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Open of a file locked for 150ms with a 5s busy timeout: %v", err)
	}
	_ = s.Close()
}

func TestOpenGivesUpOnAFileLockedPastTheBusyTimeout(t *testing.T) {
	path := tempPath(t)
	release := holdLock(t, path)
	defer release()
	_, err := Open(context.Background(), path, Options{BusyTimeout: 50 * time.Millisecond})
	if err == nil {
		t.Fatal("Open succeeded on a file locked past the busy timeout")
	}
	if !isBusy(err) {
		t.Fatalf("error %v is not recognised as SQLITE_BUSY", err)
	}
}
