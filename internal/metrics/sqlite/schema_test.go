package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

func tempPath(t *testing.T) string { return filepath.Join(t.TempDir(), "metrics.db") }

func mustOpen(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func versions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func indexes(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatalf("list indexes: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestFreshFileHasEveryVersion(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	want := []int{1, 2}
	if len(migrations) != len(want) {
		t.Fatalf("the test knows %d migrations, the package has %d: update the test", len(want), len(migrations))
	}
	if got := versions(t, s.db); !slices.Equal(got, want) {
		t.Errorf("schema_version rows %v, want %v", got, want)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (err %v), want wal", mode, err)
	}
}

func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	old, err := open(ctx, path, Options{}, 1)
	if err != nil {
		t.Fatalf("create a version 1 file: %v", err)
	}
	// A record as a version 1 program wrote it: no predicted_units column.
	_, err = old.db.Exec(`INSERT INTO requests (id, time_ns, workload, wcols, wrows, input_hash, units, cpu_ns, wall_ns, worker_id, outcome, status)
		VALUES ('old-1', 1714644000123456789, 'raytracer', 400, 300, 'h1', 9000, 1500000, 2500000, 'w1', 'ok', 200)`)
	if err != nil {
		t.Fatalf("insert a version 1 record: %v", err)
	}
	if got := indexes(t, old.db); slices.Contains(got, "requests_workload_time") {
		t.Fatalf("version 1 already has version 2's indexes: %v", got)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := mustOpen(t, path)
	if got := versions(t, s.db); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("after migration, schema_version rows %v, want [1 2]", got)
	}
	got := indexes(t, s.db)
	for _, want := range []string{"requests_time", "requests_workload_time", "requests_workload_hash", "requests_worker_time", "worker_samples_time"} {
		if !slices.Contains(got, want) {
			t.Errorf("after migration, index %s is missing (have %v)", want, got)
		}
	}
	recs, err := s.Requests(ctx, metrics.RequestQuery{Workload: workload.Raytracer, InputHash: "h1"})
	if err != nil {
		t.Fatalf("query the migrated file: %v", err)
	}
	want := metrics.RequestRecord{
		ID: "old-1", Time: fromNanos(1714644000123456789),
		Features: workload.Features{Kind: workload.Raytracer, WCols: 400, WRows: 300, InputHash: "h1"},
		Units:    9000, CPU: 1500000, Wall: 2500000, WorkerID: "w1", Outcome: metrics.OutcomeOK, Status: 200,
	}
	if len(recs) != 1 || recs[0] != want {
		t.Fatalf("the version 1 record after migration:\ngot:  %+v\nwant: %+v", recs, want)
	}
	newRec := want
	newRec.ID, newRec.PredictedUnits = "new-1", 8500.5
	if err := s.AppendRequests(ctx, []metrics.RequestRecord{newRec}); err != nil {
		t.Fatalf("append to the migrated file: %v", err)
	}
	recs, err = s.Requests(ctx, metrics.RequestQuery{})
	if err != nil || len(recs) != 2 || recs[0].ID != "old-1" || recs[1].ID != "new-1" || recs[1].PredictedUnits != 8500.5 {
		t.Errorf("after appending to the migrated file: %+v (err %v)", recs, err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	if _, err := s.db.Exec(`INSERT INTO schema_version (version, applied_ns) VALUES (99, 0)`); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	_, err := Open(context.Background(), path, Options{})
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("opening a file of schema version 99: error %v, want ErrSchemaTooNew", err)
	}
	if !strings.Contains(err.Error(), "99") {
		t.Errorf("error %q does not name the file's version", err)
	}
}

func TestIndexesServeTheQueries(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	cases := []struct {
		name, where, index string
	}{
		{"recent records of a workload", "workload = 'raytracer' AND time_ns >= 0", "requests_workload_time"},
		{"records with these features", "workload = 'blurimage' AND input_hash = 'h'", "requests_workload_hash"},
		{"a worker's records", "worker_id = 'w1' AND time_ns >= 0", "requests_worker_time"},
		{"recent records", "time_ns >= 0", "requests_time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := s.db.Query(`EXPLAIN QUERY PLAN ` + requests.sel + ` WHERE ` + c.where + ` ORDER BY time_ns DESC, id DESC LIMIT 10`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if !strings.Contains(strings.Join(plan, "; "), c.index) {
				t.Errorf("plan %q does not use index %s", plan, c.index)
			}
		})
	}
}
