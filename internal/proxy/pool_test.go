package proxy

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/workload"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

type fixedSpeeds map[string]float64

func (fixedSpeeds) Observe(string, float64, time.Duration) {}
func (f fixedSpeeds) Speed(id string) float64              { return f[id] }

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func readyPool(t *testing.T, cfg Config, pol balancer.Policy, sp Speeds, c *clock, ids ...string) *Pool {
	t.Helper()
	p := NewPool(PoolOptions{Config: cfg, Policy: pol, Speeds: sp, Now: c.now, Rand: rand.New(rand.NewPCG(1, 1))})
	for _, id := range ids {
		if err := p.Add(provider.Instance{ID: id, Address: "http://" + id}); err != nil {
			t.Fatal(err)
		}
		for range cfg.HealthyThreshold {
			p.healthResult(id, nil, nil)
		}
	}
	return p
}

func TestPredictedLeft(t *testing.T) {
	c := &clock{t0}
	cfg := testConfig()
	cfg.ProgressFloor = 0.1
	p := readyPool(t, cfg, firstReady{}, fixedSpeeds{"a": 100}, c, "a")
	ctx := context.Background()
	l1, err := p.acquire(ctx, request{units: 1000}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	c.advance(2 * time.Second)
	if _, err := p.acquire(ctx, request{units: 500}, nil, true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		after time.Duration
		want  float64
	}{
		{"first 200 done, second just started", 0, 800 + 500},
		// The two share the worker's one core: 250 units each in 5 s.
		{"first 450 done, second 250: sharing the core", 5 * time.Second, 550 + 250},
		{"both far past their prediction: floors", time.Minute, 100 + 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.advance(tc.after)
			s := p.Snapshot()
			if got := s.Workers[0].PredictedLeft; math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("predicted left %v, want %v", got, tc.want)
			}
			if s.PredictedBacklog != s.Workers[0].PredictedLeft {
				t.Errorf("backlog %v, want the worker's %v with an empty queue", s.PredictedBacklog, s.Workers[0].PredictedLeft)
			}
		})
	}
	p.release(l1, resultOK)
	if got := p.Snapshot().Workers[0]; got.InFlight != 1 || got.PredictedLeft != 50 || got.Served != 1 {
		t.Errorf("after one release: %+v", got)
	}
}

func TestCostPolicyRoutesByPredictedWork(t *testing.T) {
	c := &clock{t0}
	pol, err := balancer.New("cost")
	if err != nil {
		t.Fatal(err)
	}
	p := readyPool(t, testConfig(), pol, fixedSpeeds{"a": 1000, "b": 1000}, c, "a", "b")
	ctx := context.Background()
	big, _ := p.acquire(ctx, request{units: 50_000}, nil, true)
	if big.workerID != "a" {
		t.Fatalf("first request on %s, want a (tie: lowest index)", big.workerID)
	}
	// Two small requests both go to b: even with one in flight, b finishes
	// a small job long before a does.
	for i := range 2 {
		l, _ := p.acquire(ctx, request{units: 100}, nil, true)
		if l.workerID != "b" {
			t.Errorf("small request %d went to %s (%s), want b", i, l.workerID, l.reason)
		}
		if !strings.Contains(l.reason, "b") {
			t.Errorf("reason %q does not name the worker", l.reason)
		}
	}
}

func TestMaxInFlight(t *testing.T) {
	c := &clock{t0}
	cfg := testConfig()
	p := readyPool(t, cfg, firstReady{}, nil, c, "a", "b")
	// The worker's own limit from its /status.
	one := 1
	p.healthResult("a", nil, &workerStatus{MaxInflight: &one})
	ctx := context.Background()
	l1, _ := p.acquire(ctx, request{}, nil, true)
	l2, _ := p.acquire(ctx, request{}, nil, true)
	if l1.workerID != "a" || l2.workerID != "b" {
		t.Errorf("requests went to %s, %s; want a then b (a's limit is 1)", l1.workerID, l2.workerID)
	}
	// The flag overrides it.
	cfg.MaxInFlight = 2
	p2 := readyPool(t, cfg, firstReady{}, nil, c, "a")
	p2.healthResult("a", nil, &workerStatus{MaxInflight: &one})
	for i := range 2 {
		if _, err := p2.acquire(ctx, request{}, nil, true); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if s := p2.Snapshot(); s.Workers[0].MaxInFlight != 2 || s.Workers[0].InFlight != 2 {
		t.Errorf("with --max-inflight 2: %+v", s.Workers[0])
	}
}

func TestExcludedWorkersRetriedOnlyWhenNoOtherIsLive(t *testing.T) {
	c := &clock{t0}
	p := readyPool(t, testConfig(), firstReady{}, nil, c, "a", "b")
	ctx := context.Background()
	l, err := p.acquire(ctx, request{}, map[string]bool{"a": true}, false)
	if err != nil || l.workerID != "b" {
		t.Fatalf("got %v %v, want b", l, err)
	}
	p.release(l, resultOK)
	l, err = p.acquire(ctx, request{}, map[string]bool{"a": true, "b": true}, false)
	if err != nil || l.workerID != "a" {
		t.Fatalf("with every worker excluded got %v %v, want a tried again", l, err)
	}
}

func TestArrivals(t *testing.T) {
	c := &clock{t0}
	cfg := testConfig()
	cfg.QueueTimeout = time.Millisecond
	p := readyPool(t, cfg, firstReady{}, nil, c) // no workers: requests time out in the queue
	ctx := context.Background()
	for i := range 5 {
		if _, err := p.acquire(ctx, request{units: 100}, nil, true); !errors.Is(err, ErrQueueTimeout) {
			t.Fatalf("request %d: %v, want ErrQueueTimeout", i, err)
		}
		c.advance(time.Second)
	}
	// A retry is not a new arrival.
	p.acquire(ctx, request{units: 100}, nil, false)
	q := p.Snapshot().Queue
	if q.Arrived != 5 || q.ArrivedUnits != 500 {
		t.Errorf("arrived %d requests / %v units, want 5 / 500", q.Arrived, q.ArrivedUnits)
	}
	if q.ArrivalRate != 500.0/10 {
		t.Errorf("arrival rate %v units/s, want 50 (500 units over the 10 s window)", q.ArrivalRate)
	}
	c.advance(20 * time.Second)
	if r := p.Snapshot().Queue.ArrivalRate; r != 0 {
		t.Errorf("arrival rate %v after 20 quiet seconds, want 0", r)
	}
}

type fakeLister struct{ insts []provider.Instance }

func (f *fakeLister) List(context.Context) ([]provider.Instance, error) { return f.insts, nil }

func TestSyncFollowsTheProvider(t *testing.T) {
	c := &clock{t0}
	p := readyPool(t, testConfig(), firstReady{}, nil, c)
	l := &fakeLister{insts: []provider.Instance{
		{ID: "a", Address: "http://a", State: lifecycle.Ready},
		{ID: "b", Address: "http://b", State: lifecycle.Booting},
		{ID: "dead", Address: "http://dead", State: lifecycle.Terminated},
	}}
	ctx := context.Background()
	if err := p.Sync(ctx, l); err != nil {
		t.Fatal(err)
	}
	s := p.Snapshot()
	if ids := p.IDs(); !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("pool holds %v, want a, b", ids)
	}
	for _, w := range s.Workers {
		if w.State != lifecycle.Booting {
			t.Errorf("%s joined as %s, want booting until its health checks pass", w.ID, w.State)
		}
	}
	l.insts = l.insts[1:]
	p.Sync(ctx, l)
	if ids := p.IDs(); !slices.Equal(ids, []string{"b"}) {
		t.Errorf("pool holds %v after a left the provider, want b", ids)
	}
	if err := p.Remove("nope"); !errors.Is(err, ErrUnknownWorker) {
		t.Errorf("Remove of an unknown worker: %v", err)
	}
}

func TestActiveHealthChecksEject(t *testing.T) {
	c := &clock{t0}
	cfg := testConfig()
	p := readyPool(t, cfg, firstReady{}, nil, c, "a")
	fail := errors.New("health: 503 draining")
	for i := range cfg.UnhealthyThreshold {
		if st := p.Snapshot().Workers[0].State; st != lifecycle.Ready {
			t.Fatalf("ejected after %d failed checks, want %d", i, cfg.UnhealthyThreshold)
		}
		p.healthResult("a", fail, nil)
	}
	w := p.Snapshot().Workers[0]
	if w.State != lifecycle.Unhealthy || !strings.Contains(w.HealthError, "draining") {
		t.Errorf("after %d failed checks: %+v", cfg.UnhealthyThreshold, w)
	}
	p.healthResult("a", nil, nil)
	p.healthResult("a", fail, nil) // the passes must be consecutive
	p.healthResult("a", nil, nil)
	if st := p.Snapshot().Workers[0].State; st != lifecycle.Unhealthy {
		t.Errorf("non-consecutive passes made the worker %s", st)
	}
	p.healthResult("a", nil, nil)
	if st := p.Snapshot().Workers[0].State; st != lifecycle.Ready {
		t.Errorf("after %d consecutive passes the worker is %s", cfg.HealthyThreshold, st)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none = valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"zero queue is allowed", func(c *Config) { c.QueueLen = 0 }, nil},
		{"negative queue", func(c *Config) { c.QueueLen = -1 }, []string{"queue-len"}},
		{"zero timeouts", func(c *Config) { c.QueueTimeout, c.RequestTimeout = 0, 0 }, []string{"queue-timeout", "request-timeout"}},
		{"thresholds", func(c *Config) { c.HealthyThreshold, c.UnhealthyThreshold, c.EjectAfter = 0, 0, 0 },
			[]string{"healthy-threshold", "unhealthy-threshold", "eject-after"}},
		{"backoff above its cap", func(c *Config) { c.RetryBackoff = 2 * time.Second }, []string{"retry-backoff"}},
		{"body", func(c *Config) { c.MaxBody = 0 }, []string{"max-body"}},
		{"buffer below one body", func(c *Config) { c.MaxBuffered = c.MaxBody - 1 }, []string{"max-buffered"}},
		{"floor", func(c *Config) { c.ProgressFloor = 1.5 }, []string{"progress-floor"}},
		{"policy", func(c *Config) { c.Policy = "" }, []string{"policy"}},
		{"attempt deadlines", func(c *Config) { c.AttemptTimeoutMin, c.AttemptTimeoutFactor = 0, 0.5 },
			[]string{"attempt-timeout-min", "attempt-timeout-factor"}},
		{"hedge budget", func(c *Config) { c.HedgeBudget, c.HedgeBurst = 1.5, 0 }, []string{"hedge-budget", "hedge-burst"}},
		{"no budgeted hedges is allowed", func(c *Config) { c.HedgeBudget = 0 }, nil},
		{"a NaN factor", func(c *Config) { c.AttemptTimeoutFactor = math.NaN() }, []string{"attempt-timeout-factor"}},
		{"queue order", func(c *Config) { c.QueueOrder, c.QueueAging = "lifo", -time.Second }, []string{"queue-order", "queue-aging"}},
		{"fifo queue, no aging", func(c *Config) { c.QueueOrder, c.QueueAging = QueueFIFO, 0 }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mutate(&c)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}

type fakeHistory struct {
	recs    []metrics.RequestRecord // newest first
	queries []metrics.RequestQuery
}

func (f *fakeHistory) Requests(_ context.Context, q metrics.RequestQuery) ([]metrics.RequestRecord, error) {
	f.queries = append(f.queries, q)
	var out []metrics.RequestRecord
	for _, r := range f.recs {
		if q.Matches(r) && len(out) < metrics.EffectiveLimit(q.Limit) {
			out = append(out, r)
		}
	}
	return out, nil
}

func TestTrainerLearnsEachRecordOnce(t *testing.T) {
	rec := func(id string, k workload.Kind, sec int, units int64, o metrics.Outcome) metrics.RequestRecord {
		return metrics.RequestRecord{Key: "k-" + id, Role: metrics.RoleAttempt, RequestID: id, Attempt: 1,
			Time: t0.Add(time.Duration(sec) * time.Second), Features: workload.Features{Kind: k, Width: 10, Height: 10},
			Units: units, Outcome: o}
	}
	// The final record of r1 repeats its units: the cost model learns from
	// what ran on a worker, once.
	final := rec("r1", workload.Raytracer, 1, 100, metrics.OutcomeOK)
	final.Key, final.Role, final.Attempt, final.Attempts = "k-r1-final", metrics.RoleFinal, 0, 1
	h := &fakeHistory{recs: []metrics.RequestRecord{
		rec("r3", workload.Blur, 3, 300, metrics.OutcomeOK),
		rec("r2", workload.Raytracer, 2, 0, metrics.OutcomeClientError),
		rec("r1", workload.Raytracer, 1, 100, metrics.OutcomeOK),
		final,
	}}
	est := &fakeEst{}
	seen := newIDSet(10)
	seen.add("r3") // the load balancer already learnt it from the response
	tr := newTrainer(h, est, 50, seen, nil)
	n, err := tr.once(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("first pass learnt %d (%v), want 1 (r1)", n, err)
	}
	if len(est.trained) != 1 || est.trained[0].Units != 100 {
		t.Errorf("trained %+v", est.trained)
	}
	h.recs = append([]metrics.RequestRecord{rec("r4", workload.Raytracer, 4, 400, metrics.OutcomeOK)}, h.recs...)
	n, _ = tr.once(context.Background())
	if n != 1 || est.trained[1].Units != 400 {
		t.Errorf("second pass learnt %d: %+v, want only r4", n, est.trained)
	}
	last := h.queries[len(h.queries)-3] // the raytracer query of the second pass
	if last.Workload != workload.Raytracer || !last.Since.Equal(t0.Add(2*time.Second)) || last.Limit != 50 ||
		!slices.Equal(last.Roles, metrics.AttemptRoles) {
		t.Errorf("second pass queried %+v, want raytracer records since the newest seen", last)
	}
}

func TestWorkerCPUAndMemoryFromStatus(t *testing.T) {
	c := &clock{t0}
	p := readyPool(t, testConfig(), firstReady{}, nil, c, "a")
	if w := p.Snapshot().Workers[0]; w.CPUPercent != -1 || w.MemoryBytes != -1 {
		t.Fatalf("before any /status: cpu %v memory %d, want -1 (unknown) for both", w.CPUPercent, w.MemoryBytes)
	}
	cpu, mem := 42.5, int64(96<<20)
	p.healthResult("a", nil, &workerStatus{CPUPercent: &cpu, MemoryBytes: &mem})
	if w := p.Snapshot().Workers[0]; w.CPUPercent != cpu || w.MemoryBytes != mem {
		t.Fatalf("after /status: cpu %v memory %d, want %v and %d", w.CPUPercent, w.MemoryBytes, cpu, mem)
	}
}
