package proxy

import (
	"context"
	"testing"
	"time"
)

// queueScenario: one worker that takes one request at a time, one request
// running. A big request (1000 units) is queued at 0, then every second a
// small one (10 units) arrives and the running request finishes, so a
// queued one gets the worker. It returns how many seconds the big one
// waited (-1: still waiting after rounds) and the IDs in dispatch order.
func queueScenario(t *testing.T, order string, aging time.Duration, rounds int) (int, []string) {
	t.Helper()
	c := &clock{t0}
	cfg := testConfig()
	cfg.MaxInFlight = 1
	cfg.QueueOrder, cfg.QueueAging = order, aging
	p := readyPool(t, cfg, firstReady{}, fixedSpeeds{"a": 100}, c, "a")
	running, err := p.acquire(context.Background(), request{id: "first", units: 10}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	waiting := map[*waiter]string{}
	enqueue := func(id string, units float64) {
		p.mu.Lock()
		wt := &waiter{req: request{id: id, units: units}, done: make(chan *lease, 1), enqueued: c.now()}
		p.queue.push(wt)
		p.mu.Unlock()
		waiting[wt] = id
	}
	enqueue("big", 1000)
	var got []string
	waited := -1
	for s := 1; s <= rounds; s++ {
		c.advance(time.Second)
		enqueue("small", 10)
		p.release(running, resultOK)
		running = nil
		for wt, id := range waiting {
			select {
			case l := <-wt.done:
				running = l
				got = append(got, id)
				delete(waiting, wt)
				if id == "big" {
					waited = s
				}
			default:
			}
		}
		if running == nil {
			t.Fatalf("round %d: no queued request got the free worker", s)
		}
	}
	p.release(running, resultOK)
	p.Close()
	return waited, got
}

// TestQueueOrder: under spf small requests pass a big one, but only
// until it has waited the aging bound; fifo serves it first; without a
// practical bound it starves.
func TestQueueOrder(t *testing.T) {
	tests := []struct {
		name       string
		order      string
		aging      time.Duration
		wantWaited int // seconds the big request waited (-1: starved)
		wantFirst  string
	}{
		{"fifo: the big one first", QueueFIFO, 5 * time.Second, 1, "big"},
		{"spf: smalls pass, big served at the aging bound", QueueSPF, 5 * time.Second, 5, "small"},
		{"spf with a zero bound is fifo", QueueSPF, 0, 1, "big"},
		{"spf without a practical bound starves the big one", QueueSPF, time.Hour, -1, "small"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			waited, got := queueScenario(t, tc.order, tc.aging, 12)
			if waited != tc.wantWaited {
				t.Errorf("big waited %d s, want %d (dispatched %v)", waited, tc.wantWaited, got)
			}
			if got[0] != tc.wantFirst {
				t.Errorf("first dispatched %s, want %s", got[0], tc.wantFirst)
			}
			// FIFO would have served the big one after 1 s: under spf it
			// may wait at most the bound beyond that.
			if tc.aging < time.Hour && waited > 1+int(tc.aging/time.Second) {
				t.Errorf("big waited %d s, more than fifo's 1 s + the %s bound", waited, tc.aging)
			}
		})
	}
}

// TestQueueOrderSmallestFirst: spf serves several waiters by predicted
// units, ties in arrival order, overdue ones first.
func TestQueueOrderSmallestFirst(t *testing.T) {
	q := &waitQueue{}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, w := range []struct {
		id    string
		units float64
		at    int
	}{{"old-big", 900, 0}, {"mid", 50, 3}, {"small-a", 5, 4}, {"huge", 5000, 4}, {"small-b", 5, 5}} {
		q.push(&waiter{req: request{id: w.id, units: w.units}, enqueued: at(w.at)})
	}
	ids := func(ws []*waiter) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.req.id)
		}
		return out
	}
	tests := []struct {
		name  string
		spf   bool
		aging time.Duration
		now   int
		want  []string
	}{
		{"fifo", false, 2 * time.Second, 6, []string{"old-big", "mid", "small-a", "huge", "small-b"}},
		{"spf, old-big and mid overdue", true, 3 * time.Second, 6, []string{"old-big", "mid", "small-a", "small-b", "huge"}},
		{"spf, none overdue", true, time.Minute, 6, []string{"small-a", "small-b", "mid", "old-big", "huge"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(q.order(tc.spf, tc.aging, at(tc.now)))
			if len(got) != len(tc.want) {
				t.Fatalf("order %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("order %v, want %v", got, tc.want)
				}
			}
		})
	}
}
