package wire

import (
	"strconv"
	"strings"
	"time"
)

// The headers the worker, the load balancer and the client exchange beyond
// the original API.
const (
	// HeaderRequestID identifies a request. The load balancer and the
	// worker keep the one they receive if it is valid (ValidRequestID) and
	// generate one otherwise; every answer to a compute request carries it.
	HeaderRequestID = "X-Request-Id"
	// HeaderPredictedUnits is the load balancer's prediction of the
	// request's work units, sent to the worker.
	HeaderPredictedUnits = "X-Predicted-Units"
	// HeaderWorkerID names the worker that answered.
	HeaderWorkerID = "X-Worker-Id"
	// HeaderWorkUnits, HeaderCPUMs and HeaderWallMs are the request's
	// deterministic work units, thread CPU time and wall time on the
	// worker, the times in milliseconds (FormatMs).
	HeaderWorkUnits = "X-Work-Units"
	HeaderCPUMs     = "X-CPU-Ms"
	HeaderWallMs    = "X-Wall-Ms"
)

// MaxRequestID is the longest request id kept.
const MaxRequestID = 128

// ValidRequestID reports whether id can identify a request: 1 to
// MaxRequestID printable ASCII characters, no spaces.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// FormatMs formats d in milliseconds with three fraction digits, as the
// time headers carry it.
func FormatMs(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// ParseMs reads a time header: a number of milliseconds. Anything but a
// finite, non-negative number of at most 10^12 ms is 0 (unknown).
func ParseMs(s string) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f != f || f > 1e12 {
		return 0
	}
	return time.Duration(f * float64(time.Millisecond))
}
