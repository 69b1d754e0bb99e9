package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	sqlitedrv "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
)

// OpenURL opens the store of a "sqlite:" URL, rest being what follows the
// scheme (see ParseRest). It is the metrics.Opener of the "sqlite" scheme:
// metrics.Openers{"sqlite": sqlite.OpenURL}.
func OpenURL(ctx context.Context, rest string, o metrics.OpenOptions) (metrics.Store, error) {
	path, opts, err := ParseRest(rest)
	if err != nil {
		return nil, err
	}
	opts.MustExist = o.MustExist
	return Open(ctx, path, opts)
}

// DefaultBusyTimeout is how long a write waits for another connection or
// process to release the file's write lock before failing.
const DefaultBusyTimeout = 5 * time.Second

// MaxBusyTimeout is the longest busy timeout accepted.
const MaxBusyTimeout = 10 * time.Minute

// maxConns bounds the connections one store keeps to its file.
const maxConns = 8

// Options tune how a store file is opened.
type Options struct {
	// BusyTimeout is how long a write waits for the write lock; 0 means
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MustExist makes Open fail with an error wrapping metrics.ErrNotExist
	// when the file does not exist, instead of creating it.
	MustExist bool
}

// ParseRest parses what follows "sqlite:" in a store URL: a file path,
// optionally followed by "?busy_timeout=DURATION" (a Go duration such as
// 10s). Paths containing "?" are not supported.
func ParseRest(rest string) (path string, o Options, err error) {
	path, query, hasQuery := strings.Cut(rest, "?")
	if path == "" {
		return "", o, errors.New("sqlite store: empty path")
	}
	if strings.IndexByte(path, 0) >= 0 {
		return "", o, errors.New("sqlite store: path contains a NUL byte")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return "", o, fmt.Errorf("sqlite store: %q is not a file path (in-memory and URI databases are not supported)", path)
	}
	if !hasQuery {
		return path, o, nil
	}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return "", o, fmt.Errorf("sqlite store: options %q: %w", query, err)
	}
	for k, v := range vals {
		switch k {
		case "busy_timeout":
			d, err := time.ParseDuration(v[len(v)-1])
			if err != nil {
				return "", o, fmt.Errorf("sqlite store: busy_timeout: %w", err)
			}
			if d <= 0 || d > MaxBusyTimeout {
				return "", o, fmt.Errorf("sqlite store: busy_timeout %v is outside (0, %v]", d, MaxBusyTimeout)
			}
			o.BusyTimeout = d
		default:
			return "", o, fmt.Errorf("sqlite store: unknown option %q (known: busy_timeout)", k)
		}
	}
	return path, o, nil
}

// Open opens the store file at path, creating it and its parent directory
// unless o.MustExist is set, and migrates its schema to the latest version.
func Open(ctx context.Context, path string, o Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	return open(ctx, path, o, len(migrations))
}

// open is Open migrating to schema version target; tests build files of
// older versions with it.
func open(ctx context.Context, path string, o Options, target int) (*Store, error) {
	if o.BusyTimeout == 0 {
		o.BusyTimeout = DefaultBusyTimeout
	}
	if o.BusyTimeout < 0 || o.BusyTimeout > MaxBusyTimeout {
		return nil, fmt.Errorf("open sqlite store %s: busy timeout %v is outside (0, %v]", path, o.BusyTimeout, MaxBusyTimeout)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if strings.ContainsAny(abs, "?\x00") {
		return nil, fmt.Errorf("open sqlite store %s: paths containing '?' are not supported", path)
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist) && o.MustExist:
		return nil, fmt.Errorf("open sqlite store %s: %w", path, metrics.ErrNotExist)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, fmt.Errorf("open sqlite store %s: create directory: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	case st.IsDir():
		return nil, fmt.Errorf("open sqlite store %s: is a directory", path)
	}
	// A plain path (not a file: URI) keeps its bytes as they are. Every
	// connection gets the busy timeout; WAL is a property of the file and
	// sticks once set; write transactions begin IMMEDIATE so that two
	// writers never deadlock upgrading a read lock.
	dsn := abs + "?" + url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds()),
			"journal_mode(WAL)",
			"synchronous(NORMAL)",
		},
		"_txlock": {"immediate"},
	}.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := migrateWhenFree(ctx, db, target, o.BusyTimeout); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	return &Store{db: db, path: path, wlock: make(chan struct{}, 1)}, nil
}

// migrateWhenFree migrates, retrying for up to busyTimeout while another
// process holds the file. Processes that open a new file at the same moment
// (the workers of a deployment starting together) can get SQLITE_BUSY from
// setting up WAL mode, where SQLite does not wait on its busy handler.
func migrateWhenFree(ctx context.Context, db *sql.DB, target int, busyTimeout time.Duration) error {
	deadline := time.Now().Add(busyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := migrate(ctx, db, target)
		if err == nil || !isBusy(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 250*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's "database is locked" (SQLITE_BUSY
// or SQLITE_LOCKED, with any extended code).
func isBusy(err error) bool {
	var e *sqlitedrv.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
		return true
	}
	return false
}
