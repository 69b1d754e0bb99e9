package provider

import "sync"

// Shutdown is the closing of a provider that owns workers. Its operations
// (Launch and whatever else uses resources that Close releases) register
// with Begin; once Close has begun, Begin refuses with ErrClosed, Stopping
// is closed so that waits in progress give up, and Close waits for the
// operations in progress before it releases anything. The zero value is
// ready to use.
type Shutdown struct {
	mu       sync.Mutex
	closed   bool
	stopping chan struct{}
	ops      sync.WaitGroup
	once     sync.Once
	err      error
}

// Begin registers an operation, or returns ErrClosed once Close has begun.
// Call done when the operation is over.
func (s *Shutdown) Begin() (done func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.ops.Add(1)
	return s.ops.Done, nil
}

// Stopping is closed when Close begins.
func (s *Shutdown) Stopping() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stoppingLocked()
}

func (s *Shutdown) stoppingLocked() chan struct{} {
	if s.stopping == nil {
		s.stopping = make(chan struct{})
	}
	return s.stopping
}

// Close, the first time it is called, refuses new operations, closes
// Stopping, waits for the operations in progress and then runs release.
// Every call returns release's error.
func (s *Shutdown) Close(release func() error) error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.stoppingLocked())
		s.mu.Unlock()
		s.ops.Wait()
		s.err = release()
	})
	return s.err
}
