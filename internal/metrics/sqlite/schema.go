package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// migrations are the schema's versions in order: migrations[i] takes the
// schema from version i to version i+1. Append only; never edit one that
// has shipped.
var migrations = []string{
	// 1: the record tables.
	`CREATE TABLE requests (
		id           TEXT    NOT NULL PRIMARY KEY,
		time_ns      INTEGER NOT NULL,
		workload     TEXT    NOT NULL,
		scols        INTEGER NOT NULL DEFAULT 0,
		srows        INTEGER NOT NULL DEFAULT 0,
		wcols        INTEGER NOT NULL DEFAULT 0,
		wrows        INTEGER NOT NULL DEFAULT 0,
		coff         INTEGER NOT NULL DEFAULT 0,
		roff         INTEGER NOT NULL DEFAULT 0,
		aa           INTEGER NOT NULL DEFAULT 0,
		shapes       INTEGER NOT NULL DEFAULT 0,
		lights       INTEGER NOT NULL DEFAULT 0,
		reflective   INTEGER NOT NULL DEFAULT 0,
		transparent  INTEGER NOT NULL DEFAULT 0,
		texmap_bytes INTEGER NOT NULL DEFAULT 0,
		scene_bytes  INTEGER NOT NULL DEFAULT 0,
		width        INTEGER NOT NULL DEFAULT 0,
		height       INTEGER NOT NULL DEFAULT 0,
		format       TEXT    NOT NULL DEFAULT '',
		input_bytes  INTEGER NOT NULL DEFAULT 0,
		input_hash   TEXT    NOT NULL DEFAULT '',
		multi        INTEGER NOT NULL DEFAULT 0,
		units        INTEGER NOT NULL DEFAULT 0,
		cpu_ns       INTEGER NOT NULL DEFAULT 0,
		wall_ns      INTEGER NOT NULL DEFAULT 0,
		worker_id    TEXT    NOT NULL DEFAULT '',
		outcome      TEXT    NOT NULL DEFAULT '',
		status       INTEGER NOT NULL DEFAULT 0,
		error        TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX requests_time ON requests (time_ns);
	CREATE TABLE worker_samples (
		worker_id    TEXT    NOT NULL,
		time_ns      INTEGER NOT NULL,
		address      TEXT    NOT NULL DEFAULT '',
		cpu_percent  REAL    NOT NULL DEFAULT 0,
		memory_bytes INTEGER NOT NULL DEFAULT 0,
		in_flight    INTEGER NOT NULL DEFAULT 0,
		health       TEXT    NOT NULL DEFAULT '',
		PRIMARY KEY (worker_id, time_ns)
	);
	CREATE INDEX worker_samples_time ON worker_samples (time_ns);
	CREATE TABLE decisions (
		time_ns   INTEGER NOT NULL,
		policy    TEXT    NOT NULL,
		action    TEXT    NOT NULL,
		from_n    INTEGER NOT NULL DEFAULT 0,
		to_n      INTEGER NOT NULL DEFAULT 0,
		worker_id TEXT    NOT NULL DEFAULT '',
		reason    TEXT    NOT NULL DEFAULT '',
		PRIMARY KEY (time_ns, policy)
	);`,
	// 2: the load balancer's prediction, and the indexes of the cost
	// model's queries: recent records of a workload, records with the same
	// input, and a worker's records.
	`ALTER TABLE requests ADD COLUMN predicted_units REAL NOT NULL DEFAULT 0;
	CREATE INDEX requests_workload_time ON requests (workload, time_ns);
	CREATE INDEX requests_workload_hash ON requests (workload, input_hash, time_ns);
	CREATE INDEX requests_worker_time ON requests (worker_id, time_ns);`,
	// 3: append-only request records with keys the server makes: a
	// request's attempts and its final outcome are records of their own,
	// sharing its request id; the client's X-Request-Id is a plain,
	// indexed column. A record of an earlier version was the only record
	// of its request: it keeps its id as key, request id and client
	// request id, and becomes a direct record (attempt 1 of 1).
	`CREATE TABLE requests_v3 (
		key               TEXT    NOT NULL UNIQUE,
		role              TEXT    NOT NULL,
		request_id        TEXT    NOT NULL,
		client_request_id TEXT    NOT NULL DEFAULT '',
		attempt           INTEGER NOT NULL DEFAULT 0,
		attempts          INTEGER NOT NULL DEFAULT 0,
		time_ns           INTEGER NOT NULL,
		workload          TEXT    NOT NULL,
		scols             INTEGER NOT NULL DEFAULT 0,
		srows             INTEGER NOT NULL DEFAULT 0,
		wcols             INTEGER NOT NULL DEFAULT 0,
		wrows             INTEGER NOT NULL DEFAULT 0,
		coff              INTEGER NOT NULL DEFAULT 0,
		roff              INTEGER NOT NULL DEFAULT 0,
		aa                INTEGER NOT NULL DEFAULT 0,
		shapes            INTEGER NOT NULL DEFAULT 0,
		lights            INTEGER NOT NULL DEFAULT 0,
		reflective        INTEGER NOT NULL DEFAULT 0,
		transparent       INTEGER NOT NULL DEFAULT 0,
		texmap_bytes      INTEGER NOT NULL DEFAULT 0,
		scene_bytes       INTEGER NOT NULL DEFAULT 0,
		width             INTEGER NOT NULL DEFAULT 0,
		height            INTEGER NOT NULL DEFAULT 0,
		format            TEXT    NOT NULL DEFAULT '',
		input_bytes       INTEGER NOT NULL DEFAULT 0,
		input_hash        TEXT    NOT NULL DEFAULT '',
		multi             INTEGER NOT NULL DEFAULT 0,
		units             INTEGER NOT NULL DEFAULT 0,
		cpu_ns            INTEGER NOT NULL DEFAULT 0,
		wall_ns           INTEGER NOT NULL DEFAULT 0,
		worker_id         TEXT    NOT NULL DEFAULT '',
		outcome           TEXT    NOT NULL DEFAULT '',
		status            INTEGER NOT NULL DEFAULT 0,
		error             TEXT    NOT NULL DEFAULT '',
		predicted_units   REAL    NOT NULL DEFAULT 0
	);
	INSERT INTO requests_v3 (key, role, request_id, client_request_id, attempt, attempts,
		time_ns, workload, scols, srows, wcols, wrows, coff, roff, aa, shapes, lights, reflective, transparent,
		texmap_bytes, scene_bytes, width, height, format, input_bytes, input_hash, multi, units, cpu_ns, wall_ns,
		worker_id, outcome, status, error, predicted_units)
	SELECT id, 'direct', id, id, 1, 1,
		time_ns, workload, scols, srows, wcols, wrows, coff, roff, aa, shapes, lights, reflective, transparent,
		texmap_bytes, scene_bytes, width, height, format, input_bytes, input_hash, multi, units, cpu_ns, wall_ns,
		worker_id, outcome, status, error, predicted_units
	FROM requests;
	DROP TABLE requests;
	ALTER TABLE requests_v3 RENAME TO requests;
	CREATE INDEX requests_time ON requests (time_ns);
	CREATE INDEX requests_workload_time ON requests (workload, time_ns);
	CREATE INDEX requests_workload_hash ON requests (workload, input_hash, time_ns);
	CREATE INDEX requests_worker_time ON requests (worker_id, time_ns);
	CREATE INDEX requests_request ON requests (request_id, time_ns);
	CREATE INDEX requests_client_request ON requests (client_request_id, time_ns);`,
	// 4: the estimate of the probe the load balancer predicted a request
	// from (0: not probed).
	`ALTER TABLE requests ADD COLUMN probe_units REAL NOT NULL DEFAULT 0;`,
}

// ErrSchemaTooNew is wrapped by the error of opening a file whose schema is
// newer than this program knows.
var ErrSchemaTooNew = errors.New("metrics database schema is newer than this program")

// migrate brings the schema of db up to version target (at most
// len(migrations)) in one transaction, which takes the write lock when it
// begins, so concurrent openers of one file migrate it once.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER NOT NULL PRIMARY KEY,
		applied_ns INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("%w: the file has version %d, this program knows up to %d", ErrSchemaTooNew, current, len(migrations))
	}
	for v := current; v < target; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_ns) VALUES (?, ?)`,
			v+1, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("record schema version %d: %w", v+1, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	return nil
}
