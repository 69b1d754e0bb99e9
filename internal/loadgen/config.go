package loadgen

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
)

// Hard caps of a run: no configuration goes beyond them.
const (
	MaxCount       = 10_000_000     // requests of one run
	MaxDuration    = 24 * time.Hour // of one run (and of an arrival process)
	MaxClients     = 10_000         // closed-loop clients
	MaxConcurrency = 10_000         // open-loop requests in flight
	MaxTimeout     = time.Hour      // per request
	MaxThink       = time.Hour      // a closed-loop client's pause
	MaxDrain       = 10 * time.Minute
)

// LateAfter is how late a request may leave after its scheduled time
// before it counts as late (Summary.Late).
const LateAfter = 10 * time.Millisecond

// Sink receives the trace entry of every request of a run, in sequence
// order (a *trace.Writer is one).
type Sink interface {
	Write(e trace.Entry) error
}

// Config is a run: what to send, where, when, and for how long. Problems
// are named after the flags of `vfx load` (count, rate, burst-size, …).
type Config struct {
	// Target is the base URL of a worker or the load balancer.
	Target string
	// AllowRemote lets Target be beyond this machine (loopback only
	// otherwise).
	AllowRemote bool
	// Mix is what is sent.
	Mix *Mix
	// Arrivals is when requests are sent in the open loop (Clients 0).
	Arrivals Arrivals
	// Clients > 0 runs a closed loop instead: that many clients, each
	// sending its next request when its previous one is answered, after
	// Think.
	Clients int
	Think   time.Duration
	// Count and Duration bound the run; at least one is needed unless the
	// arrival process ends by itself (bursts, phases). In the open loop
	// Duration bounds the scheduled times; in the closed loop no request
	// starts after it.
	Count    int
	Duration time.Duration
	// Timeout bounds each request.
	Timeout time.Duration
	// MaxInFlight bounds the open loop's requests in flight; a request
	// due while the bound is reached waits (and counts as late).
	MaxInFlight int
	// Drain bounds the wait for the answers in flight once the run is
	// cancelled.
	Drain time.Duration
	// Seed seeds the sequence: the same seed gives the same items,
	// parameters and (open loop) scheduled times.
	Seed uint64
	// Trace, if not nil, receives every request's entry.
	Trace Sink
	// Progress, if not nil, is called every ProgressEvery (from the run's
	// own goroutine: it must return quickly).
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Transport, if not nil, sends the requests; by default a transport
	// whose idle pool holds a connection per request in flight.
	Transport http.RoundTripper
}

// DefaultConfig is a run's configuration before the flags: Poisson
// arrivals at 10 requests/s, a minute per request, at most 1024 requests
// in flight, 10 s to drain, progress every second.
func DefaultConfig() Config {
	return Config{
		Arrivals:      Arrivals{Kind: Poisson, Rate: 10, MinRate: 1, Period: time.Minute, BurstGap: time.Second},
		Timeout:       time.Minute,
		MaxInFlight:   1024,
		Drain:         10 * time.Second,
		ProgressEvery: time.Second,
	}
}

// Validate reports every problem of c, each naming its field.
func (c Config) Validate() error { return c.validate(true) }

// validate is Validate, without the target for a plan.
func (c Config) validate(target bool) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if target {
		if _, err := CheckTarget(c.Target, c.AllowRemote); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Mix == nil {
		bad("mix", "missing: a preset or a spec")
	}
	if c.Clients < 0 || c.Clients > MaxClients {
		bad("clients", "%d is not in [0, %d]", c.Clients, MaxClients)
	}
	open := c.Clients == 0
	if open {
		if err := c.Arrivals.Validate(); err != nil {
			errs = append(errs, err)
		}
		if c.MaxInFlight < 1 || c.MaxInFlight > MaxConcurrency {
			bad("max-inflight", "%d is not in [1, %d]", c.MaxInFlight, MaxConcurrency)
		}
	}
	if c.Think < 0 || c.Think > MaxThink {
		bad("think", "%v is not in [0, %v]", c.Think, MaxThink)
	}
	if c.Count < 0 || c.Count > MaxCount {
		bad("count", "%d is not in [0, %d] (0: no bound)", c.Count, MaxCount)
	}
	if c.Duration < 0 || c.Duration > MaxDuration {
		bad("duration", "%v is not in [0, %v] (0: no bound)", c.Duration, MaxDuration)
	}
	if c.Count == 0 && c.Duration == 0 && !(open && c.Arrivals.Finite()) {
		bad("count", "a run needs a bound: a count, a duration or both")
	}
	if c.Timeout <= 0 || c.Timeout > MaxTimeout {
		bad("timeout", "%v is not in (0, %v]", c.Timeout, MaxTimeout)
	}
	if c.Drain < 0 || c.Drain > MaxDrain {
		bad("drain", "%v is not in [0, %v]", c.Drain, MaxDrain)
	}
	if c.Progress != nil && c.ProgressEvery <= 0 {
		bad("progress-every", "%v: want a positive interval", c.ProgressEvery)
	}
	return errors.Join(errs...)
}

// resolved fills in what depends on the mix: the size of a burst.
func (c Config) resolved() Config {
	if c.Clients == 0 && c.Arrivals.Kind == Bursts && c.Arrivals.BurstSize == 0 {
		c.Arrivals.BurstSize = DefaultBurstSize
		if n := c.Mix.BurstLen(); n > 0 {
			c.Arrivals.BurstSize = n
		}
	}
	return c
}

// Progress is the state of a run, reported every Config.ProgressEvery.
type Progress struct {
	Elapsed  time.Duration
	Sent     int // requests that left
	Answered int // requests finished, answered or failed
	Errors   int // finished without a 2xx answer
	// P50 and P99 are over the latest successful answers (up to 1024).
	P50, P99 time.Duration
	// Late counts the requests that left more than LateAfter after their
	// scheduled time; MaxLag is the largest lag.
	Late   int
	MaxLag time.Duration
}
