package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// BenchmarkAppendRequests appends batches of 256 raytracer records (every
// feature set) to a temporary file and reports records per second.
func BenchmarkAppendRequests(b *testing.B) {
	const batch = 256
	ctx := context.Background()
	s, err := Open(ctx, tempPathB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	recs := make([]metrics.RequestRecord, batch)
	hash := strings.Repeat("ab", 32)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range recs {
			recs[i] = metrics.RequestRecord{
				Key: fmt.Sprintf("bench-%09d", n), Role: metrics.RoleAttempt, RequestID: fmt.Sprintf("req-%09d", n/2),
				Attempt: 1 + n%2, Time: base.Add(time.Duration(n) * time.Microsecond),
				Features: workload.Features{
					Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300, AA: n%2 == 0,
					Shapes: 5, Lights: 3, SceneBytes: 900, InputBytes: 900, InputHash: hash,
				},
				Units: int64(n), CPU: time.Millisecond, Wall: 2 * time.Millisecond,
				WorkerID: "w1", Outcome: metrics.OutcomeOK, Status: 200, PredictedUnits: 1e6,
			}
			n++
		}
		if err := s.AppendRequests(ctx, recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkRecentRequests queries the 1000 newest records of one workload
// from a file of 20,000.
func BenchmarkRecentRequests(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, tempPathB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := writeBatches(ctx, s, "w", 80, 250); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.Requests(ctx, metrics.RequestQuery{Workload: workload.Blur})
		if err != nil || len(got) != metrics.DefaultLimit {
			b.Fatalf("got %d records, err %v", len(got), err)
		}
	}
}

func tempPathB(b *testing.B) string { return b.TempDir() + "/bench.db" }
