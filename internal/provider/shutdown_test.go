package provider

import (
	"errors"
	"sync"
	"testing"
)

func TestShutdown(t *testing.T) {
	var s Shutdown
	done, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stopping := s.Stopping()
	select {
	case <-stopping:
		t.Fatal("Stopping closed before Close")
	default:
	}

	// Close waits for the operation in progress before it releases.
	released := make(chan struct{})
	closed := make(chan error, 1)
	go func() {
		closed <- s.Close(func() error { close(released); return errors.New("release failed") })
	}()
	<-stopping // the operation is told to give up ...
	if _, err := s.Begin(); !errors.Is(err, ErrClosed) {
		t.Errorf("Begin during Close: %v; want ErrClosed", err)
	}
	select {
	case <-released:
		t.Fatal("released while an operation was in progress")
	default:
	}
	done() // ... and ends: only now is anything released.
	if err := <-closed; err == nil || err.Error() != "release failed" {
		t.Errorf("Close = %v; want the release's error", err)
	}
	<-released

	// Later calls release nothing and give the same error, concurrently too.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := s.Close(func() error { t.Error("released twice"); return nil }); err == nil {
				t.Error("second Close lost the error")
			}
		})
	}
	wg.Wait()
}
