package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/workload"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenNow is the fixed time the golden fixture's records are timed from.
var goldenNow = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)

// goldenStore is metricsFixture's store at goldenNow, with records that
// try each format's corners: large and fractional numbers, empty and
// omitted fields, text that CSV must quote and JSON escape.
func goldenStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, metricsFixtureAt(t, goldenNow).Path(), sqlite.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendRequests(ctx, goldenAttempts()); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendWorkerSamples(ctx, []metrics.WorkerSample{
		{Time: goldenNow.Add(-25 * time.Second), WorkerID: "w3", CPUPercent: 100.0 / 3, MemoryBytes: 5<<30 + 123, InFlight: 12, Health: lifecycle.Booting},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendDecisions(ctx, []metrics.Decision{
		{Time: goldenNow.Add(-5 * time.Second), Policy: "cpu", Action: lifecycle.ActionRemove, From: 3, To: 2, WorkerID: "w3",
			Reason: "cpu 12% < 30%, \"idle\" for 60 s;\tdraining <w3> & waiting"},
	}); err != nil {
		t.Fatal(err)
	}
	return "sqlite:" + s.Path()
}

// goldenRequestID is the load balancer's id of the golden fixture's
// request with two attempts.
const goldenRequestID = "5c1e0a7f3b9d4e2a8f6b0c1d2e3f4a5b"

// goldenAttempts are the records of a request sent through the load
// balancer with a client id CSV must quote: its final record and its two
// attempts, the first refused by a busy worker.
func goldenAttempts() []metrics.RequestRecord {
	features := workload.Features{
		Kind: workload.Raytracer, SCols: 4000, SRows: 3000, WCols: 200, WRows: 100, COff: -20, ROff: 35,
		Shapes: 12, Lights: 2, Reflective: 3, Transparent: 1, TexmapBytes: 4096, SceneBytes: 2048,
		InputBytes: 6144, InputHash: "0123abcd",
	}
	final := metrics.RequestRecord{
		Key: "key-final", Role: metrics.RoleFinal, RequestID: goldenRequestID, ClientRequestID: "rt-2,\"quoted\"",
		Attempts: 2, Time: goldenNow.Add(-90 * time.Second), Features: features,
		Multi: true, Units: 1 << 40, CPU: 1234567891 * time.Nanosecond, Wall: 3 * time.Hour, WorkerID: "w3",
		Outcome: metrics.OutcomeServerError, Status: 500, Error: `render: "boom" <at> row 7 & col 3`,
		PredictedUnits: 1e18 / 3,
	}
	first := final
	first.Key, first.Role, first.Attempt, first.Attempts = "key-attempt-1", metrics.RoleAttempt, 1, 0
	first.Time, first.Units, first.CPU, first.Wall, first.WorkerID = final.Time.Add(time.Millisecond), 0, 0, 120*time.Microsecond, "w1"
	first.Outcome, first.Status, first.Error = metrics.OutcomeRejected, 503, "worker busy: 2 requests in flight, the limit (--max-inflight): retry later or on another worker"
	second := final
	second.Key, second.Role, second.Attempt, second.Attempts = "key-attempt-2", metrics.RoleAttempt, 2, 0
	second.Time, second.Wall = final.Time.Add(5*time.Millisecond), 3*time.Hour-10*time.Millisecond
	return []metrics.RequestRecord{final, first, second}
}

// TestMetricsOutputGolden compares every record kind in every format with
// testdata/metrics/KIND.FORMAT.golden; -update rewrites them.
func TestMetricsOutputGolden(t *testing.T) {
	url := goldenStore(t)
	for _, kind := range []string{"requests", "workers", "decisions"} {
		for _, format := range metricsFormats {
			t.Run(kind+"."+format, func(t *testing.T) {
				out, err := runMetricsCmd(t, "metrics", kind, "--store", url, "--format", format)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "metrics", kind+"."+format+".golden")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to write it)", err)
				}
				if !bytes.Equal([]byte(out), want) {
					t.Errorf("metrics %s --format %s differs from %s:\n%s\nwant:\n%s", kind, format, path, out, want)
				}
			})
		}
	}
}
