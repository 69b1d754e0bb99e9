package instrument

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// ThreadCPUTime returns the CPU time consumed so far by the calling OS thread.
// It is only meaningful while the calling goroutine is locked to its thread
// (runtime.LockOSThread); Measure and Tasks take care of that.
func ThreadCPUTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// Measure runs fn on the calling goroutine locked to its OS thread and returns
// the thread CPU time fn consumed.
func Measure(fn func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := ThreadCPUTime()
	fn()
	return ThreadCPUTime() - start
}
