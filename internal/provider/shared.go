package provider

import (
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned by the methods of a provider that has been closed.
var ErrClosed = errors.New("provider is closed")

// Launches counts the workers being launched by a provider, so that the
// launches in progress count towards its limit. The zero value is ready
// to use.
type Launches struct {
	mu sync.Mutex
	n  int
}

// Reserve reserves n launches if live workers, the launches in progress
// and n are at most max; call release once they are over (launched or
// not).
func (l *Launches) Reserve(live, n, max int) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if live+l.n+n > max {
		return nil, fmt.Errorf("launch %d workers: %d running or starting, limit %d", n, live+l.n, max)
	}
	l.n += n
	return sync.OnceFunc(func() {
		l.mu.Lock()
		l.n -= n
		l.mu.Unlock()
	}), nil
}

// LaunchEach runs launch(0) … launch(n-1) in parallel and returns the
// instances that started, in order, together with the errors of those that
// did not.
func LaunchEach(n int, launch func(i int) (Instance, error)) ([]Instance, error) {
	insts := make([]Instance, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { insts[i], errs[i] = launch(i) })
	}
	wg.Wait()
	var out []Instance
	for i := range n {
		if errs[i] == nil {
			out = append(out, insts[i])
		}
	}
	return out, errors.Join(errs...)
}
