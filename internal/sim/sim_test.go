package sim

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// req is a request of units arriving at seconds.
func req(at, units float64) Request {
	return Request{At: secs(at), Features: workload.Features{Kind: workload.Blur, Width: 10, Height: 10}, Units: units}
}

// sameCost makes a blur unit cost what a ray-tracer unit does, so that a
// request's units are its seconds on a worker of speed 1.
var sameCost = UnitCosts{workload.Raytracer: 1, workload.Blur: 1}

// cfg1 is a pool of n workers of speed 1 with no autoscaler.
func cfg1(n, maxInFlight int) Config {
	c := Default()
	c.Workers, c.Speed, c.MaxInFlight, c.Scaling, c.UnitCosts = n, 1, maxInFlight, NoScaling, sameCost
	return c
}

func mustRun(t *testing.T, c Config, reqs []Request) *Result {
	t.Helper()
	res, err := Run(c, reqs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Completed + res.Rejected + res.TimedOut + res.Failed; got != len(reqs) {
		t.Fatalf("resolved %d of %d requests: %+v", got, len(reqs), res)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestLatencies(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		reqs        []Request
		want        []float64 // sorted latencies
		wantQueue   int
		wantRejects int
	}{
		{
			name: "processor sharing splits the speed among the requests in flight",
			cfg:  cfg1(1, 0),
			// Both run at 1/2 unit/s until the first is done at 2; the
			// second then has 1 unit left at full speed.
			reqs: []Request{req(0, 1), req(0, 2)},
			want: []float64{2, 3},
		},
		{
			name: "a late arrival slows the request in flight",
			cfg:  cfg1(1, 0),
			// 0..1 alone: 1 unit of 2 done; then 2 share: the first's
			// last unit takes 2 s (done at 3), the second has 1 of 2 done
			// and finishes its last unit alone at 4.
			reqs: []Request{req(0, 2), req(1, 2)},
			want: []float64{3, 3},
		},
		{
			name:      "the concurrency limit queues requests in the load balancer",
			cfg:       cfg1(1, 1),
			reqs:      []Request{req(0, 1), req(0, 1), req(0, 1)},
			want:      []float64{1, 2, 3},
			wantQueue: 2,
		},
		{
			name: "a full queue refuses requests",
			cfg: func() Config {
				c := cfg1(1, 1)
				c.QueueLen = 1
				return c
			}(),
			reqs:        []Request{req(0, 1), req(0, 1), req(0, 1)},
			want:        []float64{1, 2},
			wantQueue:   1,
			wantRejects: 1,
		},
		{
			name: "requests spread over the workers",
			cfg:  cfg1(2, 0),
			reqs: []Request{req(0, 1), req(0, 1)},
			want: []float64{1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRun(t, tt.cfg, tt.reqs)
			if !slices.EqualFunc(res.Latencies, tt.want, near) {
				t.Errorf("latencies = %v, want %v", res.Latencies, tt.want)
			}
			if res.QueuePeak != tt.wantQueue || res.Rejected != tt.wantRejects {
				t.Errorf("queue peak %d, rejected %d; want %d, %d", res.QueuePeak, res.Rejected, tt.wantQueue, tt.wantRejects)
			}
		})
	}
}

func TestFailureRetriesElsewhere(t *testing.T) {
	c := cfg1(2, 0)
	c.RetryBackoff = 100 * time.Millisecond
	c.Failures = []Failure{{At: 500 * time.Millisecond, Worker: "w1"}}
	// The cost policy puts the first request on w1 (lower index), the
	// second on w2. w1 dies at 0.5; its request is retried at 0.6 on w2,
	// which shares it with the other request.
	res := mustRun(t, c, []Request{req(0, 1), req(0.1, 1)})
	if res.Died != 1 || res.Retries != 1 || res.Completed != 2 {
		t.Fatalf("died %d, retries %d, completed %d; want 1, 1, 2", res.Died, res.Retries, res.Completed)
	}
	// w2: 0.1..0.6 alone (0.5 done), then two share: the first request's
	// last 0.5 takes 1 s (done at 1.6, latency 1.5); the retry got 0.5 of 1
	// by then and does the rest alone: done at 2.1, latency 2.1.
	if want := []float64{1.5, 2.1}; !slices.EqualFunc(res.Latencies, want, near) {
		t.Errorf("latencies = %v, want %v", res.Latencies, want)
	}
}

func TestFailedWorkerIsReplaced(t *testing.T) {
	c := Default()
	c.Workers, c.Speed, c.Scaling, c.UnitCosts = 2, 1, "fixed", sameCost
	c.Autoscaler.Interval = time.Second
	c.Autoscaler.ReplaceAfter = 2 * time.Second
	c.BootDelay = time.Second
	c.Failures = []Failure{{At: time.Second, Worker: "w1"}}
	var reqs []Request
	for i := range 20 {
		reqs = append(reqs, req(float64(i)/2, 0.2))
	}
	res := mustRun(t, c, reqs)
	if res.Died != 1 || res.Replaced != 1 || res.Launched != 1 {
		t.Errorf("died %d, replaced %d, launched %d; want 1 each", res.Died, res.Replaced, res.Launched)
	}
}

func TestAutoscalerLaunchesWorkersThatBoot(t *testing.T) {
	c := Default()
	c.Workers, c.Speed, c.Scaling, c.UnitCosts = 0, 1, "backlog", sameCost
	c.Autoscaler.Min, c.Autoscaler.Max = 0, 4
	c.BootDelay = 3 * time.Second
	res := mustRun(t, c, []Request{req(0.5, 1)})
	// The first tick after the arrival (t=2) launches a worker, ready at 5;
	// the request completes at 6.
	if res.Launched < 1 {
		t.Fatalf("launched %d workers, want ≥ 1", res.Launched)
	}
	if want := []float64{5.5}; !slices.EqualFunc(res.Latencies, want, near) {
		t.Errorf("latencies = %v, want %v", res.Latencies, want)
	}
}

func TestDeterministicForASeed(t *testing.T) {
	pool := []Request{req(0, 0.5), req(0, 2), req(0, 0.1)}
	reqs, err := Generate(Arrivals{Kind: Poisson, Rate: 20, Count: 2000}, pool, 7)
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Workers, c.Speed, c.Routing, c.Seed, c.UnitCosts = 4, 1, "p2c", 3, sameCost
	c.Autoscaler.Max = 40
	a, b := mustRun(t, c, reqs), mustRun(t, c, reqs)
	if !slices.Equal(a.Latencies, b.Latencies) || a.WorkerSeconds != b.WorkerSeconds {
		t.Error("two runs with the same seed differ")
	}
	c.Seed = 4
	if d := mustRun(t, c, reqs); slices.Equal(a.Latencies, d.Latencies) {
		t.Error("runs with different seeds are identical: the seed is not used")
	}
}

func TestOverheadAddsToLatency(t *testing.T) {
	c := cfg1(1, 0)
	c.Overhead = 250 * time.Millisecond
	res := mustRun(t, c, []Request{req(0, 1)})
	if want := []float64{1.25}; !slices.EqualFunc(res.Latencies, want, near) {
		t.Errorf("latencies = %v, want %v", res.Latencies, want)
	}
}

func TestUnitCostsWeighTheWork(t *testing.T) {
	// A blur unit costing a tenth of a ray-tracer unit: 10 blur units take
	// 1 s on a worker of speed 1.
	c := cfg1(1, 0)
	c.UnitCosts = UnitCosts{workload.Raytracer: 10, workload.Blur: 1}
	res := mustRun(t, c, []Request{req(0, 10)})
	if want := []float64{1}; !slices.EqualFunc(res.Latencies, want, near) {
		t.Errorf("latencies = %v, want %v", res.Latencies, want)
	}
	d := DefaultUnitCosts()
	if w := d.Weight(workload.Blur); !near(w, 0.03) {
		t.Errorf("default blur weight %v, want 0.6/20", w)
	}
	if w := d.Weight("unknown"); w != 1 {
		t.Errorf("weight of an unknown workload %v, want 1", w)
	}
}

func TestCPUQuota(t *testing.T) {
	// Half a core a period of 100 ms, up to two cores at once, 1 unit/s a
	// core.
	quota := func() Config {
		c := cfg1(1, 0)
		c.CPUs, c.Cores, c.CPUPeriod = 0.5, 2, 100*time.Millisecond
		return c
	}
	tests := []struct {
		name string
		reqs []Request
		want []float64
	}{
		{"a short request runs at a whole core", []Request{req(0, 0.03)}, []float64{0.03}},
		// 50 ms of work a period: done at 0.05, 0.15, 0.25, and its last
		// 50 ms at 0.35.
		{"a long request runs at half a core once the quota is spent", []Request{req(0, 0.2)}, []float64{0.35}},
		// Two cores spend the quota in 25 ms; each got 25 ms of work, and
		// the other 25 ms after the period ends at 100 ms.
		{"two requests run on two cores and spend the quota twice as fast", []Request{req(0, 0.05), req(0, 0.05)}, []float64{0.125, 0.125}},
		// Idle from 0.01 to 0.5: the second request starts a new period.
		{"a new period after an idle time", []Request{req(0, 0.01), req(0.5, 0.05)}, []float64{0.01, 0.05}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustRun(t, quota(), tt.reqs)
			if !slices.EqualFunc(res.Latencies, tt.want, near) {
				t.Errorf("latencies = %v, want %v", res.Latencies, tt.want)
			}
		})
	}
}
