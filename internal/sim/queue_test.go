package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/workload"
)

// sized is a blur whose size, and so predicted units, grows with side,
// costing units.
func sized(at float64, side int, units float64) Request {
	return Request{At: secs(at), Features: workload.Features{Kind: workload.Blur, Width: side, Height: side}, Units: units}
}

// latencies runs reqs on c and returns each request's latency (+Inf: not
// answered, e.g. it timed out in the queue).
func latencies(t *testing.T, c Config, reqs []Request) []float64 {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	lat := make([]float64, len(reqs))
	for i := range lat {
		lat[i] = math.Inf(1)
	}
	r := newRun(c, reqs)
	r.finished = func(i int32, l float64) { lat[i] = l }
	r.loop(nil)
	return lat
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// queueCfg is one worker taking one request at a time, with the queue
// order and aging.
func queueCfg(order balancer.QueueOrder, aging time.Duration) Config {
	c := cfg1(1, 1)
	c.QueueOrder, c.QueueAging = order, aging
	return c
}

// TestQueueOrderBurst: a burst of big and small requests at once on one
// worker; serving the smallest predicted first lowers the mean latency
// against FIFO, with the default aging and without aging in the way.
func TestQueueOrderBurst(t *testing.T) {
	var burst []Request
	for i := range 40 {
		if i%4 == 3 {
			burst = append(burst, sized(0, 200, 4)) // big
		} else {
			burst = append(burst, sized(0, 20, 0.1)) // small
		}
	}
	fifo := mean(latencies(t, queueCfg(balancer.QueueFIFO, 0), burst))
	tests := []struct {
		name  string
		aging time.Duration
	}{
		{"the load balancer's default aging", balancer.DefaultQueueAging},
		{"aging beyond the burst", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spf := mean(latencies(t, queueCfg(balancer.QueueSPF, tt.aging), burst))
			if !(spf < fifo) {
				t.Errorf("mean latency: spf %.3fs, fifo %.3fs; want spf lower", spf, fifo)
			}
			t.Logf("mean latency: spf %.3fs, fifo %.3fs", spf, fifo)
		})
	}
}

// TestQueueOrderAgingBoundsTheWait: a big request behind a stream of small
// ones that alone keep the worker busy. Without aging spf starves it; with
// aging no request waits more than the aging bound (plus the longest
// service, for the request already running) beyond its FIFO latency.
func TestQueueOrderAgingBoundsTheWait(t *testing.T) {
	const small, big = 0.5, 5.0
	reqs := []Request{sized(0, 20, small), sized(0.01, 200, big)}
	for at := 0.25; at < 60; at += 0.5 {
		reqs = append(reqs, sized(at, 20, small))
	}
	fifo := latencies(t, queueCfg(balancer.QueueFIFO, 0), reqs)
	tests := []struct {
		name        string
		aging       time.Duration
		wantBounded bool // by the default aging
	}{
		{"the default aging bounds every wait", balancer.DefaultQueueAging, true},
		{"a short aging bounds every wait", 500 * time.Millisecond, true},
		{"without aging the big request starves", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spf := latencies(t, queueCfg(balancer.QueueSPF, tt.aging), reqs)
			bound := min(tt.aging, balancer.DefaultQueueAging).Seconds() + big + 1e-9
			worst, at := -1.0, -1
			for i := range reqs {
				if d := spf[i] - fifo[i]; d > worst {
					worst, at = d, i
				}
			}
			if bounded := worst <= bound; bounded != tt.wantBounded {
				t.Errorf("request %d waits %.3fs beyond its fifo latency %.3fs (bound %.3fs); want bounded %v",
					at, worst, fifo[at], bound, tt.wantBounded)
			}
			if tt.wantBounded && spf[1] <= fifo[1] {
				t.Errorf("the big request: spf %.3fs, fifo %.3fs; want the small ones to pass it", spf[1], fifo[1])
			}
		})
	}
}

// TestWaitQueueServesInTheBalancerOrder: the queue's heap and FIFO give,
// request by request, the first of the queue stably sorted by
// balancer.QueueOrder.Compare, as the load balancer sorts its queue.
func TestWaitQueueServesInTheBalancerOrder(t *testing.T) {
	for _, ord := range []balancer.QueueOrder{balancer.QueueSPF, balancer.QueueFIFO} {
		t.Run(ord.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 2000
			aging := 2 * time.Second
			q := newWaitQueue(n)
			var ref []qentry // arrival order
			now, next := 0.0, 0
			for step := 0; step < 4*n; step++ {
				now += rng.Float64() * 0.2
				if next < n && (len(ref) == 0 || rng.IntN(3) > 0) {
					u := float64(rng.IntN(5)) // ties on purpose
					q.push(int32(next), now, u)
					ref = append(ref, qentry{units: u, at: now, req: int32(next)})
					next++
					continue
				}
				if len(ref) == 0 {
					break
				}
				want := slices.Clone(ref)
				at := epoch.Add(secs(now))
				slices.SortStableFunc(want, func(a, b qentry) int { return ord.Compare(waiting(a), waiting(b), aging, at) })
				got := q.first(ord, aging, now)
				if got.req != want[0].req {
					t.Fatalf("step %d: first %d, want %d", step, got.req, want[0].req)
				}
				q.remove(got.req)
				ref = slices.DeleteFunc(ref, func(e qentry) bool { return e.req == got.req })
				if q.len() != len(ref) {
					t.Fatalf("step %d: len %d, want %d", step, q.len(), len(ref))
				}
			}
		})
	}
}
