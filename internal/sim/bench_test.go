package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/workload"
)

// benchScenario is n requests at 70 % of what `workers` workers of speed 1
// serve, costs from a spread of sizes, the backlog autoscaler between a
// tenth of the workers and all of them, starting at half.
func benchScenario(workers, n int, routing string) (Config, []Request) {
	var pool []Request
	for i, u := range []float64{0.05, 0.1, 0.2, 0.4, 1, 2} {
		f := workload.Features{Kind: workload.Raytracer, SCols: 64 << i, SRows: 64, WCols: 64 << i, WRows: 64}
		pool = append(pool, Request{Features: f, Units: u})
	}
	mean := (0.05 + 0.1 + 0.2 + 0.4 + 1 + 2) / 6
	reqs, err := Generate(Arrivals{Kind: Poisson, Rate: 0.7 * float64(workers) / mean, Count: n}, pool, 1)
	if err != nil {
		panic(err)
	}
	c := Default()
	c.Routing, c.Speed, c.Seed = routing, 1, 1
	c.Workers = max(workers/2, 1)
	c.Autoscaler.Min, c.Autoscaler.Max = max(workers/10, 1), workers
	c.Autoscaler.MaxScaleDownStep = max(workers/50, 1)
	c.QueueLen = 10 * workers
	return c, reqs
}

// BenchmarkRun reports simulated requests per second of run time over
// pool sizes and request counts (the 1M cases only without -short).
func BenchmarkRun(b *testing.B) {
	for _, routing := range []string{"cost", "least-requests"} {
		for _, w := range []int{10, 100, 1000} {
			for _, n := range []int{10_000, 100_000, 1_000_000} {
				if n == 1_000_000 && testing.Short() {
					continue
				}
				b.Run(fmt.Sprintf("%s/workers=%d/requests=%d", routing, w, n), func(b *testing.B) {
					c, reqs := benchScenario(w, n, routing)
					b.ResetTimer()
					var res *Result
					for b.Loop() {
						var err error
						if res, err = Run(c, reqs, nil); err != nil {
							b.Fatal(err)
						}
					}
					el := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(float64(n)/el, "requests/s")
					b.ReportMetric(float64(res.Events)/el, "events/s")
					b.ReportMetric(float64(res.Launched+res.Drained), "scalings")
					b.ReportMetric(res.End.Seconds(), "sim-s")
				})
			}
		}
	}
}

// BenchmarkQueueOrder reports the run time of a queue thousands deep
// (arrivals at 130 % of a fixed pool's capacity) under each queue order:
// spf keeps a heap beside the FIFO, so a dispatch stays O(log n).
func BenchmarkQueueOrder(b *testing.B) {
	for _, ord := range []balancer.QueueOrder{balancer.QueueFIFO, balancer.QueueSPF} {
		b.Run(ord.String(), func(b *testing.B) {
			c, reqs := benchScenario(10, 50_000, "cost")
			mean := (0.05 + 0.1 + 0.2 + 0.4 + 1 + 2) / 6
			reqs, err := Generate(Arrivals{Kind: Poisson, Rate: 1.3 * 10 / mean, Count: 50_000}, poolOf(reqs), 1)
			if err != nil {
				b.Fatal(err)
			}
			c.Scaling, c.Workers = NoScaling, 10
			c.QueueLen, c.QueueTimeout = 100_000, time.Hour
			c.QueueOrder = ord
			var res *Result
			for b.Loop() {
				if res, err = Run(c, reqs, nil); err != nil {
					b.Fatal(err)
				}
			}
			el := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(res.Events)/el, "events/s")
			b.ReportMetric(float64(res.QueuePeak), "queue-peak")
			b.ReportMetric(res.Mean.Seconds(), "mean-s")
		})
	}
}

// poolOf is the distinct request costs of reqs, as Generate draws them.
func poolOf(reqs []Request) []Request {
	seen := map[float64]bool{}
	var pool []Request
	for _, r := range reqs {
		if !seen[r.Units] {
			seen[r.Units] = true
			pool = append(pool, Request{Features: r.Features, Units: r.Units})
		}
	}
	return pool
}
