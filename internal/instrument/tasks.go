package instrument

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Workers returns n if positive, otherwise the number of usable CPUs.
func Workers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// Tasks runs fn(worker, task) for every task in [0, n) on the given number of
// goroutines, each locked to its own OS thread, handing out tasks in order
// from a shared counter. worker is in [0, workers) and lets fn keep
// per-goroutine counters without synchronisation. Tasks returns the summed
// thread CPU time of the goroutines. It stops handing out tasks once ctx is
// done and then returns ctx's error; a panic in fn is returned as an error.
func Tasks(ctx context.Context, workers, n int, fn func(worker, task int)) (time.Duration, error) {
	workers = Workers(workers)
	if workers > n {
		workers = n
	}
	if n <= 0 {
		return 0, ctx.Err()
	}
	var (
		next     atomic.Int64
		cpu      atomic.Int64
		wg       sync.WaitGroup
		panicMu  sync.Mutex
		panicErr error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			start := ThreadCPUTime()
			defer func() {
				cpu.Add(int64(ThreadCPUTime() - start))
				if r := recover(); r != nil {
					panicMu.Lock()
					if panicErr == nil {
						panicErr = fmt.Errorf("task panicked: %v", r)
					}
					panicMu.Unlock()
					next.Store(int64(n)) // stop the others
				}
			}()
			for ctx.Err() == nil {
				t := int(next.Add(1) - 1)
				if t >= n {
					return
				}
				fn(w, t)
			}
		}(w)
	}
	wg.Wait()
	if panicErr != nil {
		return time.Duration(cpu.Load()), panicErr
	}
	return time.Duration(cpu.Load()), ctx.Err()
}
