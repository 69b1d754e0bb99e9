package testutil

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// fakeTB records what a helper reports instead of failing the test. Its
// Fatal methods end the goroutine, as testing's do: run helpers that may
// call them through run.
type fakeTB struct {
	testing.TB // nil: a method not overridden here must not be called
	mu         sync.Mutex
	errs       []string
	fatal      bool
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.mu.Lock()
	f.fatal = true
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// run calls fn with a fakeTB on a goroutine of its own and returns the
// fakeTB once fn has returned or called a Fatal method.
func run(fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}
