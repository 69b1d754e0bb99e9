package sim

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
	"github.com/specialvfx/vfx/internal/workload"
)

func TestGenerate(t *testing.T) {
	pool := DefaultPool()
	tests := []struct {
		name  string
		a     Arrivals
		check func(t *testing.T, reqs []Request)
	}{
		{"poisson keeps its rate", Arrivals{Kind: Poisson, Rate: 50, Count: 20000}, func(t *testing.T, reqs []Request) {
			if rate := float64(len(reqs)) / reqs[len(reqs)-1].At.Seconds(); math.Abs(rate-50) > 2 {
				t.Errorf("rate %.1f/s, want about 50", rate)
			}
		}},
		{"bursts arrive together", Arrivals{Kind: Bursts, Count: 25, BurstSize: 10, BurstGap: 3 * time.Second}, func(t *testing.T, reqs []Request) {
			if reqs[9].At != 0 || reqs[10].At != 3*time.Second || reqs[24].At != 6*time.Second {
				t.Errorf("burst times %v %v %v, want 0s 3s 6s", reqs[9].At, reqs[10].At, reqs[24].At)
			}
		}},
		{"diurnal is busier at the peak than at the trough", Arrivals{Kind: Diurnal, Rate: 100, MinRate: 10, Period: 100 * time.Second, Count: 20000}, func(t *testing.T, reqs []Request) {
			var trough, peak int
			for _, r := range reqs {
				switch phase := math.Mod(r.At.Seconds(), 100); {
				case phase < 10 || phase >= 90:
					trough++
				case phase >= 40 && phase < 60:
					peak++
				}
			}
			if peak < 4*trough {
				t.Errorf("%d arrivals around the peaks, %d around the troughs: want the peaks far busier", peak, trough)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := Generate(tt.a, pool, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != tt.a.Count {
				t.Fatalf("%d requests, want %d", len(reqs), tt.a.Count)
			}
			if !slices.IsSortedFunc(reqs, func(a, b Request) int { return int(a.At - b.At) }) {
				t.Fatal("not in arrival order")
			}
			for _, r := range reqs {
				if !slices.ContainsFunc(pool, func(p Request) bool { return p.Units == r.Units && p.Features == r.Features }) {
					t.Fatalf("request %+v is not drawn from the pool", r)
				}
			}
			tt.check(t, reqs)
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Arrivals
		want string
	}{
		{"unknown kind", Arrivals{Kind: "steady", Count: 1}, `unknown kind "steady"`},
		{"no count", Arrivals{Kind: Poisson, Rate: 1}, "count: must be in"},
		{"no rate", Arrivals{Kind: Diurnal, Count: 1, Period: time.Second}, "rate: must be"},
		{"min above peak", Arrivals{Kind: Diurnal, Count: 1, Rate: 1, MinRate: 2, Period: time.Second}, "min rate"},
		{"no burst", Arrivals{Kind: Bursts, Count: 1}, "burst size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Generate(tc.a, DefaultPool(), 1); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
	if _, err := Generate(Arrivals{Kind: Poisson, Rate: 1, Count: 1}, nil, 1); err == nil {
		t.Error("generated from an empty pool")
	}
}

func TestFromTrace(t *testing.T) {
	f := workload.Features{Kind: workload.Blur, Width: 10, Height: 10}
	entries := []trace.Entry{
		{Seq: 0, At: 2 * time.Second, Features: f, Units: 500, Wall: 100 * time.Millisecond},
		{Seq: 1, At: time.Second, Features: f}, // planned, never ran: the prior
		{Seq: 2, At: 3 * time.Second, Features: f, Units: 300, Wall: 300 * time.Millisecond},
	}
	reqs := FromTrace(entries)
	if reqs[0].At != time.Second || reqs[0].Units != 10*10*390 || reqs[1].Units != 500 {
		t.Errorf("requests %+v: want arrival order, the prior for the one that never ran", reqs)
	}
	// 5000 and 1000 units/s: the median of two is the upper one.
	if s := SpeedOf(entries, sameCost); s != 5000 {
		t.Errorf("speed %v, want 5000", s)
	}
	// In ray-tracer equivalents of the default costs.
	if s := SpeedOf(entries, DefaultUnitCosts()); !near(s, 5000*0.03) {
		t.Errorf("speed %v, want 150", s)
	}
	// Latency minus wall of the answers: none recorded a latency.
	if d := OverheadOf(entries); d != 0 {
		t.Errorf("overhead %v of a trace without latencies, want 0", d)
	}
	entries[0].Status, entries[0].Latency = 200, 130*time.Millisecond
	entries[2].Status, entries[2].Latency = 200, 310*time.Millisecond
	if d := OverheadOf(entries); d != 30*time.Millisecond {
		t.Errorf("overhead %v, want the median of 30ms and 10ms (the upper)", d)
	}
	// Units per CPU-second: 500/0.1 s and 300/0.3 s of CPU.
	entries[0].CPU, entries[2].CPU = 100*time.Millisecond, 300*time.Millisecond
	if s := CoreSpeedOf(entries, sameCost); s != 5000 {
		t.Errorf("core speed %v, want 5000", s)
	}
	if s := SpeedOf(entries[1:2], sameCost); s != 0 {
		t.Errorf("speed of a planned trace %v, want 0 (unknown)", s)
	}
}

// FuzzRun checks the simulator's invariants on arbitrary small runs: every
// request is resolved exactly once, and none is answered faster than its
// cost at a worker's full speed.
func FuzzRun(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6}, uint8(2), uint8(1), uint8(0), uint8(0))
	f.Add([]byte{0, 0, 0, 200, 200, 9, 1}, uint8(1), uint8(0), uint8(3), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, workers, maxInFlight, routing, scaling uint8) {
		if len(data) > 400 {
			return
		}
		var reqs []Request
		at := 0.0
		for i := 0; i+1 < len(data); i += 2 {
			at += float64(data[i]) / 50
			reqs = append(reqs, req(at, float64(data[i+1])/20))
		}
		c := Default()
		c.Speed, c.UnitCosts = 1, sameCost
		c.Workers = int(workers % 6)
		c.MaxInFlight = int(maxInFlight % 4)
		c.QueueLen = 8
		c.Routing = []string{"cost", "least-requests", "round-robin", "p2c", "cpu"}[int(routing)%5]
		c.Scaling = append(ScalingNames(), NoScaling)[int(scaling)%4]
		c.Autoscaler.Max = 6
		if c.Workers == 0 && c.Scaling != "backlog" {
			c.Workers = 1
		}
		if len(data) > 0 && data[0]%3 == 0 {
			c.Failures = []Failure{{At: secs(float64(data[0]) / 30)}}
		}
		if len(data) > 1 && data[1]%2 == 1 {
			c.CPUs, c.Cores = 0.25+float64(data[1]%4)/4, 1+int(data[1]%3)
		}
		res, err := Run(c, reqs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Completed + res.Rejected + res.TimedOut + res.Failed; got != len(reqs) {
			t.Fatalf("resolved %d of %d", got, len(reqs))
		}
		if len(res.Latencies) != res.Completed {
			t.Fatalf("%d latencies for %d completed", len(res.Latencies), res.Completed)
		}
		minUnits := math.Inf(1)
		for _, r := range reqs {
			minUnits = min(minUnits, r.Units)
		}
		if res.Completed > 0 && res.Latencies[0] < minUnits/c.Speed-1e-9 {
			t.Fatalf("a request was answered in %v s, faster than the cheapest costs (%v s)", res.Latencies[0], minUnits)
		}
		if res.WorkerSeconds < 0 {
			t.Fatalf("negative worker-seconds %v", res.WorkerSeconds)
		}
	})
}

func TestMeasured(t *testing.T) {
	f := workload.Features{Kind: workload.Blur, Width: 10, Height: 10}
	var entries []trace.Entry
	for i := range 10 {
		entries = append(entries, trace.Entry{Seq: i, At: time.Duration(i) * time.Second, Features: f, Status: 200, Latency: time.Duration(i+1) * 500 * time.Millisecond})
	}
	entries = append(entries, trace.Entry{Seq: 10, At: 10 * time.Second, Features: f, Status: 503, Latency: time.Millisecond})
	r := Measured(entries, 2*time.Second, 5*time.Second)
	if r == nil || !r.Measured {
		t.Fatal("no measured result")
	}
	if r.Requests != 11 || r.Completed != 10 || r.Rejected != 1 {
		t.Errorf("requests %d, completed %d, refused %d; want 11, 10, 1", r.Requests, r.Completed, r.Rejected)
	}
	// 0.5 s … 5 s: p50 is the 5th, 2.5 s; 4 of 11 within 2 s.
	if r.P50 != 2500*time.Millisecond || r.Max != 5*time.Second || math.Abs(r.Attained-4.0/11) > 1e-9 {
		t.Errorf("p50 %v, max %v, attained %v", r.P50, r.Max, r.Attained)
	}
	if len(r.Series) < 3 {
		t.Errorf("series of %d samples, want the latency over time", len(r.Series))
	}
	if Measured(entries[:0], time.Second, time.Second) != nil {
		t.Error("a trace with no answers has a measured result")
	}
	var b strings.Builder
	if err := WriteTable(&b, []*Result{r}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "measured  (trace)    10        1  2.50s") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestUnitCostsOf(t *testing.T) {
	rt := workload.Features{Kind: workload.Raytracer, WCols: 1, WRows: 1}
	bl := workload.Features{Kind: workload.Blur, Width: 1, Height: 1}
	u := UnitCostsOf([]trace.Entry{
		{Features: rt, Units: 1000, CPU: 40 * time.Microsecond},
		{Features: rt, Units: 3000, CPU: 40 * time.Microsecond},
		{Features: bl, Units: 1000, CPU: time.Microsecond},
		{Features: bl, Units: 5}, // no CPU time: not learnt from
	})
	if !near(u[workload.Raytracer], 20) || !near(u[workload.Blur], 1) || u[workload.Enhance] != 0.6 {
		t.Errorf("costs %v, want raytracer 80µs/4000 = 20 ns, blur 1 ns, enhance the default 0.6", u)
	}
}
