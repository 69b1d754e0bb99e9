package lbpool

import (
	"math"
	"slices"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/proxy"
)

// Defaults of Throughput.
const (
	// DefaultThroughputWindow is the span of recent requests a worker's
	// throughput is measured over.
	DefaultThroughputWindow = time.Minute
	// DefaultMinBusy is the least busy time a measurement needs; with less
	// the previous measurement stands.
	DefaultMinBusy = 2 * time.Second
	// MaxCompletions bounds the requests remembered per worker.
	MaxCompletions = 10000
)

// Throughput measures how fast each worker works at full load: the work
// units of the requests it finished over the time it was busy (one
// request or more in flight), over a trailing window.
//
// The load balancer's per-request speed (units over wall time of one
// request) is what routing needs, but it is not a worker's capacity: a
// worker running four requests at once does each at about a quarter of its
// speed. Units over busy time is the same at any concurrency. It is safe
// for concurrent use.
type Throughput struct {
	window  time.Duration
	minBusy time.Duration
	now     func() time.Time

	mu sync.Mutex
	w  map[string]*workerRate
}

type workerRate struct {
	done []completion // by end time
	last float64      // the latest measurement; 0 = none yet
}

type completion struct {
	start, end time.Time
	units      float64
}

// NewThroughput returns a tracker measuring over window (0:
// DefaultThroughputWindow) with the clock now (nil: time.Now).
func NewThroughput(window time.Duration, now func() time.Time) *Throughput {
	if window <= 0 {
		window = DefaultThroughputWindow
	}
	if now == nil {
		now = time.Now
	}
	return &Throughput{window: window, minBusy: min(DefaultMinBusy, window), now: now, w: map[string]*workerRate{}}
}

// Observe records that a worker finished, now, a request of units that
// took wall. Requests without units or time are ignored.
func (t *Throughput) Observe(workerID string, units float64, wall time.Duration) {
	if workerID == "" || !(units > 0) || math.IsInf(units, 0) || wall <= 0 {
		return
	}
	end := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.w[workerID]
	if r == nil {
		r = &workerRate{}
		t.w[workerID] = r
	}
	if len(r.done) >= MaxCompletions {
		r.done = slices.Delete(r.done, 0, len(r.done)-MaxCompletions+1)
	}
	r.done = append(r.done, completion{start: end.Add(-wall), end: end, units: units})
}

// Speed is the worker's throughput in units per second, 0 when it has
// not been busy long enough yet to tell.
func (t *Throughput) Speed(workerID string) float64 {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.w[workerID]
	if r == nil {
		return 0
	}
	cutoff := now.Add(-t.window)
	i := 0
	for i < len(r.done) && !r.done[i].end.After(cutoff) {
		i++
	}
	r.done = r.done[i:]
	units, busy := measure(r.done, cutoff, now)
	if busy >= t.minBusy {
		r.last = units / busy.Seconds()
	}
	return r.last
}

// measure is the units done within [from, to] (a request's units counted
// in proportion to the part of it inside) and the time within it when at
// least one request was running.
func measure(done []completion, from, to time.Time) (units float64, busy time.Duration) {
	type span struct{ a, b time.Time }
	spans := make([]span, 0, len(done))
	for _, c := range done {
		a, b := maxTime(c.start, from), minTime(c.end, to)
		if !b.After(a) {
			continue
		}
		units += c.units * float64(b.Sub(a)) / float64(c.end.Sub(c.start))
		spans = append(spans, span{a, b})
	}
	slices.SortFunc(spans, func(x, y span) int { return x.a.Compare(y.a) })
	var cur span
	for i, s := range spans {
		switch {
		case i == 0:
			cur = s
		case s.a.After(cur.b):
			busy += cur.b.Sub(cur.a)
			cur = s
		case s.b.After(cur.b):
			cur.b = s.b
		}
	}
	if len(spans) > 0 {
		busy += cur.b.Sub(cur.a)
	}
	return units, busy
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// retain forgets the workers not in ids.
func (t *Throughput) retain(ids map[string]bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id := range t.w {
		if !ids[id] {
			delete(t.w, id)
		}
	}
}

// Tee returns Speeds that pass every observation to s and to t, and
// answer Speed from s: give it to the load balancer in place of s.
func Tee(s proxy.Speeds, t *Throughput) proxy.Speeds { return tee{s, t} }

type tee struct {
	proxy.Speeds
	t *Throughput
}

func (x tee) Observe(workerID string, units float64, wall time.Duration) {
	x.Speeds.Observe(workerID, units, wall)
	x.t.Observe(workerID, units, wall)
}
