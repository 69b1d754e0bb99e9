package worker

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// errFull and errDraining are why a request is not admitted.
var (
	errFull     = errors.New("worker is at its limit of requests in flight")
	errDraining = errors.New("worker is draining")
)

// active is a compute request being served.
type active struct {
	id        string
	kind      workload.Kind
	predicted float64
	start     time.Time
}

// inflight admits at most max compute requests at a time and lists them.
type inflight struct {
	mu       sync.Mutex
	max      int
	draining bool
	reqs     map[*active]struct{}
	changed  chan struct{} // closed and replaced whenever a request leaves
	onChange func(n int)
}

func newInflight(max int, onChange func(n int)) *inflight {
	return &inflight{max: max, reqs: make(map[*active]struct{}), changed: make(chan struct{}), onChange: onChange}
}

// admit adds a, or returns errDraining or errFull.
func (t *inflight) admit(a *active) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.draining {
		return errDraining
	}
	if len(t.reqs) >= t.max {
		return errFull
	}
	t.reqs[a] = struct{}{}
	t.onChange(len(t.reqs))
	return nil
}

// release removes a request admitted before.
func (t *inflight) release(a *active) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.reqs, a)
	t.onChange(len(t.reqs))
	close(t.changed)
	t.changed = make(chan struct{})
}

// drain makes admit refuse every new request.
func (t *inflight) drain() {
	t.mu.Lock()
	t.draining = true
	t.mu.Unlock()
}

func (t *inflight) isDraining() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.draining
}

func (t *inflight) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.reqs)
}

// list returns the requests in flight, oldest first.
func (t *inflight) list() []active {
	t.mu.Lock()
	out := make([]active, 0, len(t.reqs))
	for a := range t.reqs {
		out = append(out, *a)
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].start.Equal(out[j].start) {
			return out[i].start.Before(out[j].start)
		}
		return out[i].id < out[j].id
	})
	return out
}

// waitIdle returns once no request is in flight, or ctx's error.
func (t *inflight) waitIdle(ctx context.Context) error {
	for {
		t.mu.Lock()
		n, ch := len(t.reqs), t.changed
		t.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
