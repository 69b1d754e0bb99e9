package sim

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGoldenSummary pins the summary of a small scenario (a Poisson trace
// with a burst, two routings × two scalings, a worker failure) so that any
// change to the simulator or the policies it runs shows up as a diff.
// Regenerate with: go test ./internal/sim -run TestGoldenSummary -update
func TestGoldenSummary(t *testing.T) {
	pool := []Request{
		{Features: workload.Features{Kind: workload.Raytracer, SCols: 200, SRows: 200, WCols: 200, WRows: 200, Shapes: 4, Lights: 2}, Units: 0.4},
		{Features: workload.Features{Kind: workload.Raytracer, SCols: 800, SRows: 800, WCols: 800, WRows: 800, Shapes: 9, Lights: 3, AA: true}, Units: 6},
		{Features: workload.Features{Kind: workload.Blur, Width: 640, Height: 480}, Units: 0.2},
	}
	steady, err := Generate(Arrivals{Kind: Poisson, Rate: 0.6, Count: 200}, pool, 11)
	if err != nil {
		t.Fatal(err)
	}
	burst, err := Generate(Arrivals{Kind: Bursts, Count: 40, BurstSize: 40, BurstGap: time.Second}, pool, 12)
	if err != nil {
		t.Fatal(err)
	}
	for i := range burst {
		burst[i].At += 100 * time.Second
	}
	reqs := append(steady, burst...)
	sortRequests(reqs)

	var results []*Result
	for _, routing := range []string{"cost", "round-robin"} {
		for _, scaling := range []string{"backlog", "fixed"} {
			c := Default()
			c.Routing, c.Scaling, c.Seed = routing, scaling, 5
			c.Workers, c.Speed, c.MaxInFlight, c.UnitCosts = 2, 1, 4, sameCost
			c.Autoscaler.Min, c.Autoscaler.Max = 1, 8
			c.Failures = []Failure{{At: 20 * time.Second, Worker: "w2"}}
			res, err := Run(c, reqs, nil)
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, res)
		}
	}
	var b strings.Builder
	if err := WriteTable(&b, results); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "summary.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("summary differs from %s (run with -update if the change is intended):\ngot:\n%s\nwant:\n%s", path, b.String(), want)
	}
}
