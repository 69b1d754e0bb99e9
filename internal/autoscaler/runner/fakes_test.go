package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// waitFor is how long a test waits for something another goroutine does.
const waitFor = 5 * time.Second

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	changed chan struct{} // receives after every After call (non-blocking)
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: t0, changed: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{c.now.Add(d), ch})
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return ch
}

// Advance moves the clock on and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			keep = append(keep, t)
		}
	}
	c.timers = keep
}

// pending is the number of timers not yet fired.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// WaitTimers waits until at least n timers are pending.
func (c *fakeClock) WaitTimers(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(waitFor)
	for c.pending() < n {
		select {
		case <-c.changed:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %d timers (have %d)", n, c.pending())
		}
	}
}

// events is an ordered log of what the fakes were asked to do, shared by
// the pool and the provider, so tests can check the order of actions.
type events struct {
	mu  sync.Mutex
	log []string
	ch  chan struct{}
}

func newEvents() *events { return &events{ch: make(chan struct{}, 1)} }

func (e *events) add(format string, args ...any) {
	e.mu.Lock()
	e.log = append(e.log, fmt.Sprintf(format, args...))
	e.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	default:
	}
}

func (e *events) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.log)
}

// waitFor waits until the log holds ev.
func (e *events) waitFor(t *testing.T, ev string) {
	t.Helper()
	deadline := time.After(waitFor)
	for !slices.Contains(e.all(), ev) {
		select {
		case <-e.ch:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %q; events: %q", ev, e.all())
		}
	}
}

// index is the position of ev in the log, -1 if absent.
func (e *events) index(ev string) int { return slices.Index(e.all(), ev) }

// fakePool is an in-memory pool.
type fakePool struct {
	ev *events

	mu      sync.Mutex
	workers []Worker
	idle    map[string]chan struct{} // closed when the worker's in-flight count reaches 0
	queue   struct {
		units float64
		n     int
	}
	arrived float64
}

func newFakePool(ev *events, ws ...Worker) *fakePool {
	return &fakePool{ev: ev, workers: ws, idle: map[string]chan struct{}{}}
}

func (p *fakePool) Snapshot() PoolSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolSnapshot{
		Time: t0, Workers: slices.Clone(p.workers),
		QueuedUnits: p.queue.units, QueueLen: p.queue.n, ArrivedUnits: p.arrived,
	}
}

func (p *fakePool) find(id string) int {
	return slices.IndexFunc(p.workers, func(w Worker) bool { return w.ID == id })
}

func (p *fakePool) Add(inst provider.Instance) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ev.add("add %s", inst.ID)
	if p.find(inst.ID) >= 0 {
		return nil
	}
	p.workers = append(p.workers, Worker{
		Worker:  autoscaler.Worker{ID: inst.ID, State: lifecycle.Booting, LaunchedAt: inst.LaunchedAt, CPUPercent: -1},
		Address: inst.Address, MemoryMB: -1,
	})
	return nil
}

var errUnknown = errors.New("unknown worker")

func (p *fakePool) Drain(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.find(id)
	if i < 0 {
		return errUnknown
	}
	p.ev.add("drain %s", id)
	p.workers[i].State = lifecycle.Draining
	return nil
}

func (p *fakePool) WaitIdle(ctx context.Context, id string) error {
	p.mu.Lock()
	i := p.find(id)
	if i < 0 || p.workers[i].InFlight == 0 {
		p.mu.Unlock()
		p.ev.add("idle %s", id)
		return nil
	}
	ch, ok := p.idle[id]
	if !ok {
		ch = make(chan struct{})
		p.idle[id] = ch
	}
	p.mu.Unlock()
	select {
	case <-ch:
		p.ev.add("idle %s", id)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *fakePool) Remove(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.find(id)
	if i < 0 {
		return errUnknown
	}
	p.ev.add("remove %s", id)
	p.workers = slices.Delete(p.workers, i, i+1)
	return nil
}

// finish ends every request of a worker.
func (p *fakePool) finish(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := p.find(id); i >= 0 {
		p.workers[i].InFlight = 0
		p.workers[i].PredictedLeft = 0
	}
	if ch, ok := p.idle[id]; ok {
		close(ch)
		delete(p.idle, id)
	}
}

// set changes a worker in place.
func (p *fakePool) set(id string, f func(*Worker)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := p.find(id); i >= 0 {
		f(&p.workers[i])
	}
}

func (p *fakePool) ids() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for _, w := range p.workers {
		ids = append(ids, w.ID)
	}
	return ids
}

// fakeProvider launches instances named new-1, new-2, …
type fakeProvider struct {
	ev *events

	mu        sync.Mutex
	next      int
	gate      chan struct{} // when not nil, Launch waits for it to close
	launchErr error
	termErr   error
	pool      *fakePool // when not nil, Launch adds its instances to it before returning, as a provider's List and the pool's sync do
}

func (f *fakeProvider) Launch(ctx context.Context, n int) ([]provider.Instance, error) {
	f.mu.Lock()
	var insts []provider.Instance
	for range n {
		f.next++
		insts = append(insts, provider.Instance{
			ID: fmt.Sprintf("new-%d", f.next), Address: fmt.Sprintf("http://127.0.0.1:%d", 9000+f.next),
			State: lifecycle.Booting, LaunchedAt: t0,
		})
	}
	gate, err, early := f.gate, f.launchErr, f.pool
	f.mu.Unlock()
	f.ev.add("launch %d", n)
	if early != nil {
		for _, inst := range insts {
			early.Add(inst)
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	return insts, nil
}

func (f *fakeProvider) Terminate(ctx context.Context, id string) error {
	f.mu.Lock()
	err := f.termErr
	f.mu.Unlock()
	f.ev.add("terminate %s", id)
	return err
}

// scripted is a policy that returns what next says and keeps every
// observation it was given.
type scripted struct {
	mu   sync.Mutex
	obs  []autoscaler.Observation
	next func(n int, obs autoscaler.Observation) autoscaler.Decision
}

func (s *scripted) Decide(now time.Time, obs autoscaler.Observation) autoscaler.Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs = append(s.obs, obs)
	d := s.next(len(s.obs), obs)
	if d.Reason == "" {
		d.Reason = "scripted"
	}
	return d
}

func (s *scripted) observations() []autoscaler.Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.obs)
}

// keep is a scripted decision that keeps the pool as it is.
func keep(_ int, obs autoscaler.Observation) autoscaler.Decision {
	return autoscaler.Decision{Desired: obs.PoolSize()}
}

// Worker builders: speed 1000 units/s.
func readyW(id string, inFlight int, left float64) Worker {
	return Worker{
		Worker: autoscaler.Worker{ID: id, State: lifecycle.Ready, LaunchedAt: t0.Add(-time.Hour),
			InFlight: inFlight, PredictedLeft: left, Speed: 1000, CPUPercent: 40},
		Address: "http://127.0.0.1:8001", Healthy: true, MemoryMB: 100, Sampled: t0,
	}
}

func bootingW(id string) Worker {
	return Worker{
		Worker:  autoscaler.Worker{ID: id, State: lifecycle.Booting, LaunchedAt: t0, CPUPercent: -1},
		Address: "http://127.0.0.1:8002", MemoryMB: -1,
	}
}

// testConfig is a valid configuration with round numbers.
func testConfig() autoscaler.Config {
	c := autoscaler.Default()
	c.Min, c.Max = 1, 4
	c.Interval = time.Second
	c.StableWindow = 10 * time.Second
	c.PanicWindow = 2 * time.Second
	c.ScaleDownDelay = 5 * time.Second
	c.BootTime = 2 * time.Second
	c.ReplaceAfter = 3 * time.Second
	c.DefaultSpeed = 1000
	c.TargetUtilization = 1
	return c
}

// rig is a runner with fakes around it.
type rig struct {
	r     *Runner
	clock *fakeClock
	pool  *fakePool
	prov  *fakeProvider
	ev    *events
}

// testLoop is the loop's configuration the tests use: a 30 s drain
// timeout, no state files.
func testLoop() Config {
	return Config{DrainTimeout: 30 * time.Second}
}

func newRig(t *testing.T, cfg autoscaler.Config, pol autoscaler.Policy, ws ...Worker) *rig {
	t.Helper()
	return newRigLoop(t, cfg, testLoop(), pol, ws...)
}

// newRigLoop is newRig with the loop's configuration loop.
func newRigLoop(t *testing.T, cfg autoscaler.Config, loop Config, pol autoscaler.Policy, ws ...Worker) *rig {
	t.Helper()
	ev := newEvents()
	g := &rig{clock: newFakeClock(), pool: newFakePool(ev, ws...), prov: &fakeProvider{ev: ev}, ev: ev}
	r, err := New(Options{Config: cfg, Loop: loop, Policy: pol, Pool: g.pool, Provider: g.prov, Clock: g.clock})
	if err != nil {
		t.Fatal(err)
	}
	g.r = r
	return g
}

// settle waits for the runner's launches and drains to return.
func (g *rig) settle(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() { g.r.work.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatalf("launches and drains did not return; events: %q", g.ev.all())
	}
}

// spy wraps a policy and keeps every observation it was given.
type spy struct {
	p   autoscaler.Policy
	mu  sync.Mutex
	obs []autoscaler.Observation
}

func (s *spy) Decide(now time.Time, obs autoscaler.Observation) autoscaler.Decision {
	s.mu.Lock()
	s.obs = append(s.obs, obs)
	s.mu.Unlock()
	return s.p.Decide(now, obs)
}

func (s *spy) last() autoscaler.Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.obs[len(s.obs)-1]
}

func mustPolicy(t *testing.T, cfg autoscaler.Config) autoscaler.Policy {
	t.Helper()
	p, err := autoscaler.New(cfg.Policy, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// countState counts the observation's workers in state s.
func countState(obs autoscaler.Observation, s lifecycle.State) int {
	n := 0
	for _, w := range obs.Workers {
		if w.State == s {
			n++
		}
	}
	return n
}
