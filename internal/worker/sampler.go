package worker

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// procUsage is the process's CPU time so far and its resident memory.
type procUsage struct {
	CPU time.Duration
	RSS uint64
}

// readProcUsage reads the process's user+system CPU time (getrusage) and its
// resident set size (/proc/self/statm; on systems without it, the peak RSS
// from getrusage).
func readProcUsage() (procUsage, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return procUsage{}, fmt.Errorf("getrusage: %w", err)
	}
	u := procUsage{CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if rss, err := parseStatmRSS(b, os.Getpagesize()); err == nil {
			u.RSS = rss
			return u, nil
		}
	}
	u.RSS = uint64(ru.Maxrss) * 1024 // Linux reports kilobytes
	return u, nil
}

// parseStatmRSS reads the resident-pages field (the second) of
// /proc/self/statm and returns it in bytes.
func parseStatmRSS(b []byte, pageSize int) (uint64, error) {
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, fmt.Errorf("statm: want at least 2 fields, got %d", len(f))
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("statm: resident pages: %w", err)
	}
	return pages * uint64(pageSize), nil
}

// cpuPercent is the share of its CPU capacity (cores, or its cgroup quota
// in cores) the process used between two readings, in percent (100 = all of
// it busy the whole time), like a machine's CPU utilisation.
func cpuPercent(prev, cur procUsage, elapsed time.Duration, cores float64) float64 {
	if elapsed <= 0 || cores <= 0 || cur.CPU < prev.CPU {
		return 0
	}
	p := 100 * float64(cur.CPU-prev.CPU) / (float64(elapsed) * cores)
	return min(p, 100)
}
