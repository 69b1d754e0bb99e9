package wire

import (
	"strconv"
	"strings"
	"time"
)

// The headers the worker, the load balancer and the client exchange beyond
// the original API.
const (
	// HeaderRequestID is the client's id of a request, for correlation
	// only: the load balancer and the worker keep a valid one
	// (ValidRequestID) in their records as the client request id, never
	// as a key, and send it back. An answer to a request that carried none
	// carries the server's request id (HeaderServerRequestID) in it.
	HeaderRequestID = "X-Request-Id"
	// HeaderServerRequestID is the id the server gave a request: the load
	// balancer's, or that of a worker reached directly. Every answer to a
	// compute request carries it, and every record of the request holds
	// it. The load balancer sends it to the worker with HeaderAttempt, and
	// the worker records the attempt under it.
	HeaderServerRequestID = "X-Server-Request-Id"
	// HeaderAttempt is the number of the attempt the load balancer sends
	// to a worker: 1, 2, … in the order the attempts of one request were
	// sent (ParseAttempt).
	HeaderAttempt = "X-Attempt"
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

// EchoRequestID is the X-Request-Id an answer carries: the client's, if it
// sent a valid one, else the server's request id.
func EchoRequestID(client, server string) string {
	if ValidRequestID(client) {
		return client
	}
	return server
}

// MaxAttempt is the largest attempt number ParseAttempt accepts.
const MaxAttempt = 1_000_000

// ParseAttempt reads an X-Attempt header: a decimal number from 1 to
// MaxAttempt, nothing else (no sign, no spaces, no leading zero).
func ParseAttempt(s string) (int, bool) {
	if s == "" || len(s) > 7 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= MaxAttempt
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
