package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/trace"
)

// mixYAML is the steady mixed load of every test: small ray traces (one
// with a texture, one anti-aliased, one of a tenth of a second or so),
// blurs and enhances of small seed
// images — cheap enough that a few a second fit a busy 2-core machine.
const mixYAML = `
items:
  - name: raytrace-small
    workload: raytracer
    scene: raytracer/scenes/test01.txt
    scols: 120
    srows: 90
    weight: 3
  - name: raytrace-texmap
    workload: raytracer
    scene: raytracer/scenes/test-texmap.txt
    texmap: raytracer/textures/test-texmap.bmp
    scols: 100
    srows: 75
    weight: 1
  - name: raytrace-aa
    workload: raytracer
    scene: raytracer/scenes/test03.txt
    scols: 64
    srows: 48
    aa: true
    weight: 1
  - name: raytrace-test04
    workload: raytracer
    scene: raytracer/scenes/test04.txt
    scols: 200
    srows: 150
    weight: 1
  - name: blur
    workload: blur
    image: imageproc/inputs/airplane.jpg
    weight: 1
  - name: enhance
    workload: enhance
    image: imageproc/inputs/bird.jpg
    weight: 1
`

// Load settings: Poisson arrivals at loadRate requests a second, each
// request bounded by requestTimeout (a request without an answer by then
// is lost).
const (
	loadRate       = 5
	requestTimeout = time.Minute
)

// load is a steady mixed load running in the background.
type load struct {
	began  time.Time // about when the first request was due
	sink   *sink
	done   chan struct{}
	sum    *loadgen.Summary
	err    error
	cancel context.CancelFunc
}

// startLoad sends the mixed load to base for d (at most loadRate × d
// requests) from a goroutine of its own; wait returns what happened.
func startLoad(t *testing.T, base string, d time.Duration, seed uint64) *load {
	t.Helper()
	dir, err := testutil.SeedDir()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := loadgen.ParseSpec("chaos.yaml", []byte(mixYAML))
	if err != nil {
		t.Fatal(err)
	}
	mix, err := loadgen.NewMix("chaos", spec, dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := loadgen.DefaultConfig()
	cfg.Target = base
	cfg.Mix = mix
	cfg.Arrivals = loadgen.Arrivals{Kind: loadgen.Poisson, Rate: loadRate}
	cfg.Duration = d
	cfg.Count = int(loadRate*d.Seconds()) * 2
	cfg.Timeout = requestTimeout
	cfg.MaxInFlight = 64
	cfg.Seed = seed
	l := &load{began: time.Now(), sink: &sink{}, done: make(chan struct{})}
	cfg.Trace = l.sink
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() {
		defer close(l.done)
		l.sum, l.err = loadgen.Run(ctx, cfg)
	}()
	t.Cleanup(func() { cancel(); <-l.done })
	return l
}

// waitAnswered waits until n requests have been answered with 2xx.
func (l *load) waitAnswered(t *testing.T, n int) {
	t.Helper()
	testutil.WaitFor(t, 2*time.Minute, 20*time.Millisecond, fmt.Sprintf("%d answered requests", n), func() bool {
		return l.sink.ok() >= n
	})
}

// wait waits for the load to end and returns every request's entry.
func (l *load) wait(t *testing.T) []trace.Entry {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(requestTimeout + 2*time.Minute):
		t.Fatal("the load did not end")
	}
	if l.err != nil {
		t.Fatalf("load: %v", l.err)
	}
	return l.sink.all()
}

// sink keeps the entries of a load.
type sink struct {
	mu      sync.Mutex
	entries []trace.Entry
	oks     int
}

func (s *sink) Write(e trace.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, e)
	if e.OK() {
		s.oks++
	}
	return nil
}

func (s *sink) ok() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oks
}

func (s *sink) all() []trace.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]trace.Entry(nil), s.entries...)
}

// figures are what a test measured.
type figures struct {
	Sent     int // requests that left
	Answered int // with an HTTP answer, of any status
	OK       int // with a 2xx answer
	// Failed are the requests that failed visibly: an answer other than
	// 2xx, or a connection refused or reset (Refused of them).
	Failed  int
	Refused int
	// Lost are the requests with no answer at all within requestTimeout.
	Lost int
	// Missing are the answered requests without a final record in the
	// store (after it recovered); MissingAll those without any record.
	Missing, MissingAll int
	// Statuses counts the answers other than 2xx, by status.
	Statuses map[int]int
	// Waiting are the answered requests whose final record was not yet
	// in the store when it recovered (store faults only).
	Waiting int
	// MaxLatency is the longest a request answered with 2xx took.
	MaxLatency time.Duration
	// Victim is the worker the fault hit; Before counts the requests it
	// answered that were sent before the fault, After those sent after
	// the fault ended.
	Victim        string
	worker        bool // the victim is a worker, Before and After counted
	Before, After int
	// Busy is the victim's requests in flight when the fault hit it, as
	// the load balancer counted them just before.
	Busy int
	// SlowestDecision is the load balancer's decision for the slowest
	// request, as its state API shows it (JSON), if it still does.
	SlowestDecision string
	// Recovery is the time to recover, and what recovered.
	Recovery time.Duration
	What     string
}

// count fills in the request figures from the load's entries.
func count(entries []trace.Entry) figures {
	f := figures{Statuses: map[int]int{}}
	for _, e := range entries {
		if !e.Ran() {
			continue
		}
		f.Sent++
		switch {
		case e.OK():
			f.Answered++
			f.OK++
			f.MaxLatency = max(f.MaxLatency, e.Latency)
		case e.Status != 0:
			f.Answered++
			f.Failed++
			f.Statuses[e.Status]++
		case strings.HasPrefix(e.Error, "no answer within"), strings.Contains(e.Error, "stopped"):
			f.Lost++
		default:
			f.Failed++
			f.Refused++
		}
	}
	return f
}

// String is the test's one line of figures.
func (f figures) String() string {
	other := ""
	if len(f.Statuses) > 0 {
		other = fmt.Sprintf(" %v", f.Statuses)
	}
	waiting := ""
	if f.Waiting > 0 {
		waiting = fmt.Sprintf(", %d waiting for the store", f.Waiting)
	}
	victim := ""
	switch {
	case f.worker:
		victim = fmt.Sprintf("; %s had %d in flight at the fault, answered %d sent before it, %d sent after it", f.Victim, f.Busy, f.Before, f.After)
	case f.Victim != "":
		victim = fmt.Sprintf("; %s had %d in flight at the fault", f.Victim, f.Busy)
	}
	return fmt.Sprintf("sent %d, answered %d (2xx %d, slowest %s), failed %d (non-2xx %d%s, connection refused/reset %d), lost %d, records missing %d (no record at all %d%s); recovered in %s (%s)%s",
		f.Sent, f.Answered, f.OK, f.MaxLatency.Round(10*time.Millisecond), f.Failed, f.Failed-f.Refused, other, f.Refused, f.Lost,
		f.Missing, f.MissingAll, waiting, f.Recovery.Round(10*time.Millisecond), f.What, victim)
}

// report logs the figures in one line.
func (f figures) report(t *testing.T) {
	t.Helper()
	t.Logf("chaos %s: %s", t.Name(), f)
	if f.MaxLatency > 2*time.Second && f.SlowestDecision != "" {
		t.Logf("the slowest request, as the load balancer decided it: %s", f.SlowestDecision)
	}
}

// slowest is the request id of the slowest request answered with 2xx.
func slowest(entries []trace.Entry) string {
	var id string
	var most time.Duration
	for _, e := range entries {
		if e.OK() && e.Latency > most {
			id, most = e.RequestID, e.Latency
		}
	}
	return id
}

// decisionOf is the load balancer's decision for request id, as JSON, ""
// if its state API no longer shows it.
func decisionOf(base, id string) string {
	type state struct {
		Decisions []json.RawMessage `json:"decisions"`
	}
	st, err := testutil.GetJSON[state](context.Background(), base+"/api/v1/state", 5*time.Second)
	if err != nil || id == "" {
		return ""
	}
	for _, d := range st.Decisions {
		var head struct {
			RequestID string `json:"request_id"`
		}
		if json.Unmarshal(d, &head) == nil && head.RequestID == id {
			var b bytes.Buffer
			if json.Compact(&b, d) != nil {
				return string(d)
			}
			return b.String()
		}
	}
	return ""
}

// assertNothingLost fails t unless every request sent was answered, all
// of them with 2xx, or else with one of the statuses allowed.
func (f figures) assertNothingLost(t *testing.T, allowed ...int) {
	t.Helper()
	if f.Lost != 0 || f.Refused != 0 {
		t.Errorf("%d requests lost and %d refused of %d sent, want every request answered", f.Lost, f.Refused, f.Sent)
	}
	for status, n := range f.Statuses {
		ok := false
		for _, a := range allowed {
			ok = ok || a == status
		}
		if !ok {
			t.Errorf("%d requests answered %d", n, status)
		}
	}
	if f.OK == 0 {
		t.Errorf("no request answered with 2xx")
	}
}

// victim counts the requests worker id answered that were sent before
// from (a time of the wall clock), and those sent after until.
func (f *figures) victim(l *load, entries []trace.Entry, id string, from, until time.Time) {
	f.Victim, f.worker = id, true
	for _, e := range entries {
		if e.Worker != id || !e.OK() {
			continue
		}
		switch sent := l.began.Add(e.Sent); {
		case sent.Before(from):
			f.Before++
		case sent.After(until):
			f.After++
		}
	}
}
