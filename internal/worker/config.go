package worker

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/wire"
)

// Config is a worker's configuration. Start from DefaultConfig and overlay
// flags; Validate reports every problem at once.
type Config struct {
	// ID names the worker in records, samples and the X-Worker-Id header.
	ID string
	// Address is the host:port the worker is reached at, reported in
	// samples. Serve fills it from the listener when empty.
	Address string
	// MaxInflight is how many compute requests run at once; more get 503
	// with Retry-After. Default: 2 × the number of cores.
	MaxInflight int
	// MaxBodyBytes bounds a request body (413 beyond it, at once when its
	// Content-Length says so). Default 64 MiB.
	MaxBodyBytes int64
	// MaxMemory is the worker's memory budget: request bodies, reserved as
	// they are read, what decoding their headers may allocate, and before
	// any pixel is decoded what running them needs (decoded pixels, the
	// render or filter, the encoded answer), all held until the response
	// is sent. A request that does not fit now gets 503 with Retry-After
	// (before more of its body is read), one that never can 413. The last
	// eighth is kept for requests that hold at most a 128th of it. Default:
	// half the memory the worker may use (its cgroup's limit, else the
	// machine's), at least 256 MiB.
	MaxMemory int64
	// BodyTimeout bounds the time to receive a compute request's body,
	// from the end of its headers (408 beyond it). A request takes an
	// in-flight slot only once its body has arrived: a slow client costs a
	// connection, not a slot. Default 60 s.
	BodyTimeout time.Duration
	// ReadHeaderTimeout bounds the time to read a request's headers
	// (default 10 s); ReadTimeout bounds the whole of other requests
	// (default 60 s).
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response (default 10 min). A workload still running
	// near it is cancelled and answered with 503. 0 means no limit.
	WriteTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request (default 2 min).
	IdleTimeout time.Duration
	// DrainTimeout bounds how long shutdown waits for in-flight requests
	// before cancelling them (default 60 s).
	DrainTimeout time.Duration
	// SampleInterval is how often the worker records a sample of itself:
	// CPU %, memory, in-flight requests, health (default 5 s).
	SampleInterval time.Duration
	// Threads is how many threads one request's workload may use; 0 means
	// every core.
	Threads int
	// Limits bound each request's inputs (wire.DefaultLimits).
	Limits wire.Limits
	// Token, when set, is the secret the load balancer shares with its
	// workers: compute requests, /status and /metrics need it as a bearer
	// token (401 otherwise); /health and / stay open.
	Token access.Secret
	// LeaseTimeout, when positive, ties the worker to the load balancer
	// that started it: a GET /health carrying the lease header (package
	// lease; with the Token when there is one) renews the lease, and when
	// none has for LeaseTimeout (from the start, then from the last
	// renewal) Serve drains and returns as on shutdown. 0: no lease.
	LeaseTimeout time.Duration
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		ID:                "worker",
		MaxInflight:       2 * runtime.NumCPU(),
		MaxBodyBytes:      64 << 20,
		MaxMemory:         defaultMaxMemory(),
		BodyTimeout:       60 * time.Second,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		DrainTimeout:      60 * time.Second,
		SampleInterval:    5 * time.Second,
		Limits:            wire.DefaultLimits(),
	}
}

// Validate returns every problem of c, each naming its field, joined.
func (c Config) Validate() error {
	var errs []error
	if c.ID == "" {
		errs = append(errs, errors.New("id: must not be empty"))
	}
	if len(c.ID) > maxIDLen {
		errs = append(errs, fmt.Errorf("id: at most %d characters, got %d", maxIDLen, len(c.ID)))
	}
	for _, r := range c.ID {
		if r < 0x21 || r > 0x7e {
			errs = append(errs, fmt.Errorf("id: printable ASCII without spaces only, got %q", c.ID))
			break
		}
	}
	if c.MaxInflight < 1 {
		errs = append(errs, fmt.Errorf("max-inflight: must be at least 1, got %d", c.MaxInflight))
	}
	if c.MaxBodyBytes < 1 {
		errs = append(errs, fmt.Errorf("max-body: must be positive, got %d", c.MaxBodyBytes))
	} else if budget.New(c.MaxMemory).Room(c.MaxBodyBytes) < c.MaxBodyBytes {
		errs = append(errs, fmt.Errorf("max-memory: must hold a body of max-body (%d) besides the eighth kept for small requests: at least %d, got %d",
			c.MaxBodyBytes, budget.For(c.MaxBodyBytes), c.MaxMemory))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
		zero bool // zero allowed (no limit)
	}{
		{"body-timeout", c.BodyTimeout, false},
		{"read-header-timeout", c.ReadHeaderTimeout, false},
		{"read-timeout", c.ReadTimeout, false},
		{"write-timeout", c.WriteTimeout, true},
		{"idle-timeout", c.IdleTimeout, false},
		{"drain-timeout", c.DrainTimeout, true},
		{"sample-interval", c.SampleInterval, false},
		{"lease-timeout", c.LeaseTimeout, true},
	} {
		if d.v < 0 || (d.v == 0 && !d.zero) {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %s", d.name, d.v))
		}
	}
	if c.Threads < 0 {
		errs = append(errs, fmt.Errorf("threads: must be 0 (all cores) or positive, got %d", c.Threads))
	}
	return errors.Join(errs...)
}

// maxIDLen bounds worker and request ids.
const maxIDLen = 128
