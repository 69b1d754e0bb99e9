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
	want := []int{1, 2, 3, 4}
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
	if got := versions(t, s.db); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("after migration, schema_version rows %v, want [1 2 3]", got)
	}
	got := indexes(t, s.db)
	for _, want := range allIndexes {
		if !slices.Contains(got, want) {
			t.Errorf("after migration, index %s is missing (have %v)", want, got)
		}
	}
	recs, err := s.Requests(ctx, metrics.RequestQuery{Workload: workload.Raytracer, InputHash: "h1"})
	if err != nil {
		t.Fatalf("query the migrated file: %v", err)
	}
	want := metrics.RequestRecord{
		Key: "old-1", Role: metrics.RoleDirect, RequestID: "old-1", ClientRequestID: "old-1", Attempt: 1, Attempts: 1,
		Time:     fromNanos(1714644000123456789),
		Features: workload.Features{Kind: workload.Raytracer, WCols: 400, WRows: 300, InputHash: "h1"},
		Units:    9000, CPU: 1500000, Wall: 2500000, WorkerID: "w1", Outcome: metrics.OutcomeOK, Status: 200,
	}
	if len(recs) != 1 || recs[0] != want {
		t.Fatalf("the version 1 record after migration:\ngot:  %+v\nwant: %+v", recs, want)
	}
	newRec := want
	newRec.Key, newRec.PredictedUnits = "new-1", 8500.5
	if err := s.AppendRequests(ctx, []metrics.RequestRecord{newRec}); err != nil {
		t.Fatalf("append to the migrated file: %v", err)
	}
	recs, err = s.Requests(ctx, metrics.RequestQuery{})
	if err != nil || len(recs) != 2 || recs[0].Key != "old-1" || recs[1].Key != "new-1" || recs[1].PredictedUnits != 8500.5 {
		t.Errorf("after appending to the migrated file: %+v (err %v)", recs, err)
	}
}

// allIndexes are the indexes of the latest schema.
var allIndexes = []string{
	"requests_client_request", "requests_request", "requests_time", "requests_worker_time",
	"requests_workload_hash", "requests_workload_time", "worker_samples_time",
}

// TestMigrateFromVersion2: the records of a version 2 file (one record per
// request id, replaced in place) read back as direct records under their
// old id, every field kept, and the migrated file is append-only.
func TestMigrateFromVersion2(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	old, err := open(ctx, path, Options{}, 2)
	if err != nil {
		t.Fatalf("create a version 2 file: %v", err)
	}
	// Records as a version 2 program wrote them, every column set, and one
	// that replaced an earlier record of the same id.
	for _, stmt := range []string{
		`INSERT INTO requests (id, time_ns, workload, scols, srows, wcols, wrows, coff, roff, aa, shapes, lights, reflective, transparent,
			texmap_bytes, scene_bytes, width, height, format, input_bytes, input_hash, multi, units, cpu_ns, wall_ns, worker_id, outcome,
			status, error, predicted_units)
		VALUES ('v2-full', 1714644000000000001, 'raytracer', 800, 450, 400, 300, 17, 23, 1, 12, 4, 3, 2,
			1080054, 1234, 640, 480, 'bmp', 1081288, 'abab', 1, 123456789012, 1234567891, 2345678912, 'worker-7', 'server_error',
			500, 'render failed', 1.5e11)`,
		`INSERT OR REPLACE INTO requests (id, time_ns, workload, outcome, status) VALUES ('v2-dup', 1714644000000000002, 'blurimage', 'ok', 200)`,
		`INSERT OR REPLACE INTO requests (id, time_ns, workload, outcome, status, error) VALUES ('v2-dup', 1714644000000000003, 'blurimage', 'client_error', 400, 'bad')`,
	} {
		if _, err := old.db.Exec(stmt); err != nil {
			t.Fatalf("write a version 2 record: %v", err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := mustOpen(t, path)
	if got := versions(t, s.db); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("after migration, schema_version rows %v, want [1 2 3]", got)
	}
	if got := indexes(t, s.db); !slices.Equal(got, allIndexes) {
		t.Errorf("after migration, indexes %v, want %v", got, allIndexes)
	}
	recs, err := s.Requests(ctx, metrics.RequestQuery{})
	if err != nil {
		t.Fatalf("query the migrated file: %v", err)
	}
	full := metrics.RequestRecord{
		Key: "v2-full", Role: metrics.RoleDirect, RequestID: "v2-full", ClientRequestID: "v2-full", Attempt: 1, Attempts: 1,
		Time: fromNanos(1714644000000000001),
		Features: workload.Features{
			Kind: workload.Raytracer, SCols: 800, SRows: 450, WCols: 400, WRows: 300, COff: 17, ROff: 23, AA: true,
			Shapes: 12, Lights: 4, Reflective: 3, Transparent: 2, TexmapBytes: 1080054, SceneBytes: 1234,
			Width: 640, Height: 480, Format: "bmp", InputBytes: 1081288, InputHash: "abab",
		},
		Multi: true, Units: 123456789012, CPU: 1234567891, Wall: 2345678912, WorkerID: "worker-7",
		Outcome: metrics.OutcomeServerError, Status: 500, Error: "render failed", PredictedUnits: 1.5e11,
	}
	dup := metrics.RequestRecord{
		Key: "v2-dup", Role: metrics.RoleDirect, RequestID: "v2-dup", ClientRequestID: "v2-dup", Attempt: 1, Attempts: 1,
		Time: fromNanos(1714644000000000003), Features: workload.Features{Kind: workload.Blur},
		Outcome: metrics.OutcomeClientError, Status: 400, Error: "bad",
	}
	if len(recs) != 2 || recs[0] != dup || recs[1] != full {
		t.Fatalf("the version 2 records after migration:\ngot:  %+v\nwant: %+v", recs, []metrics.RequestRecord{dup, full})
	}
	if err := metrics.ValidateRequests(recs); err != nil {
		t.Errorf("migrated records are not valid records: %v", err)
	}
	// From now on, a record under a stored key changes nothing.
	forged := dup
	forged.Outcome, forged.Status = metrics.OutcomeOK, 200
	if err := s.AppendRequests(ctx, []metrics.RequestRecord{forged}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Requests(ctx, metrics.RequestQuery{RequestID: "v2-dup"}); err != nil || len(got) != 1 || got[0] != dup {
		t.Errorf("after appending under a migrated key: %+v (err %v), want the migrated record unchanged", got, err)
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
		{"one request's records", "request_id = 'q1'", "requests_request"},
		{"a client's request id", "client_request_id = 'c1'", "requests_client_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := s.db.Query(`EXPLAIN QUERY PLAN ` + requests.sel + ` WHERE ` + c.where + ` ORDER BY ` + requests.order + ` LIMIT 10`)
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
