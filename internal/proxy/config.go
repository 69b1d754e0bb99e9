package proxy

import (
	"errors"
	"fmt"
	"time"

	"github.com/specialvfx/vfx/internal/budget"
)

// Config is the load balancer's configuration. Start from Default, overlay
// the command's flags (cmd/vfx binds them), then Validate.
type Config struct {
	// Policy names the balancer policy (balancer.Names): cost (default),
	// least-requests, round-robin, p2c, cpu.
	Policy string
	// MaxBody bounds a request body; larger ones get 413, at once when
	// their Content-Length says so (default 64 MiB).
	MaxBody int64
	// MaxBuffered is the load balancer's memory budget: the request bodies
	// it holds (reserved as they are read, kept for retries while queued
	// and in flight), what decoding their headers may allocate
	// (wire.Prepared.Memory) and the responses it reads ahead. A request
	// whose next chunk of body or whose decoding does not fit gets 503
	// with Retry-After before more of it is read; a response read ahead
	// stops early and streams. The last eighth is kept for requests that
	// hold at most a 128th of it, so that large bodies cannot shut out
	// small requests (default 1 GiB).
	MaxBuffered int64
	// ResponseBuffer is how much of a worker's response the load balancer
	// reads before it starts sending it on (default 16 MiB), within
	// MaxBuffered. A worker that dies within it is retried like one that
	// refused the connection, so a response that fits is never lost; a
	// larger one is streamed, and a worker dying after that drops the
	// client's connection.
	ResponseBuffer int64
	// QueueLen bounds the requests waiting for a worker; beyond it a request
	// gets 503 with Retry-After at once (default 256).
	QueueLen int
	// QueueTimeout bounds a request's wait in the queue; then it gets 503
	// with Retry-After (default 60 s).
	QueueTimeout time.Duration
	// QueueOrder is the order queued requests get workers in: "spf"
	// (default) serves the smallest predicted request first, "fifo" the
	// oldest first. Under spf a request that has waited QueueAging or
	// longer is served before every younger one, oldest first, so none
	// waits much more than QueueAging beyond what fifo would have given it
	// (default 2 s).
	QueueOrder string
	QueueAging time.Duration
	// RequestTimeout is each request's deadline, queueing, retries and
	// forwarding included; past it the client gets 504 (default 10 min).
	RequestTimeout time.Duration
	// MaxRetries bounds how many times a request is sent again to another
	// worker, after a connection failure or a 502/503 (a retry) or when an
	// attempt outlives its deadline (a hedge) (default 3).
	MaxRetries int
	// AttemptTimeoutMin and AttemptTimeoutFactor set each attempt's
	// deadline from its predicted time on the worker it was sent to (the
	// request's predicted units over the worker's learnt speed):
	// AttemptTimeoutMin + AttemptTimeoutFactor × predicted, capped by the
	// request's own deadline (defaults 2 s and 3). An attempt that outlives
	// it makes its worker suspect and is hedged: the request is sent to
	// another worker too, and the first answer wins.
	AttemptTimeoutMin    time.Duration
	AttemptTimeoutFactor float64
	// HedgeBudget is the share of requests that may be hedged (0: none),
	// HedgeBurst how many hedges may go at once beyond it (defaults 0.05
	// and 10): over any stretch of time, hedges ≤ HedgeBudget × requests +
	// HedgeBurst, so that a pool that is slower than predicted everywhere
	// is not sent twice the work. Hedges away from a worker that stopped
	// answering its health checks are not counted against it.
	HedgeBudget float64
	HedgeBurst  int
	// RetryBackoff is the wait before the first retry; it doubles for each
	// further retry, up to MaxRetryBackoff (defaults 50 ms and 1 s).
	RetryBackoff    time.Duration
	MaxRetryBackoff time.Duration
	// HealthInterval, HealthTimeout: every worker gets GET /health this
	// often, with this timeout (defaults 1 s and 1 s).
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	// HealthyThreshold consecutive passed checks make a booting or unhealthy
	// worker ready; UnhealthyThreshold consecutive failed checks eject a
	// ready one (defaults 2 and 3).
	HealthyThreshold   int
	UnhealthyThreshold int
	// EjectAfter consecutive forwarding failures (refused, reset, 502) eject
	// a worker passively, before its health checks notice (default 3).
	EjectAfter int
	// MaxInFlight caps the requests sent to one worker at once. 0 (default)
	// means the worker's own limit as its /status reports it (max_inflight),
	// and no cap while that is unknown.
	MaxInFlight int
	// SyncInterval is how often the pool re-reads the provider's list of
	// instances (default 2 s).
	SyncInterval time.Duration
	// TrainInterval is how often the estimator learns from the records the
	// store gained (default 1 min); TrainLimit bounds the records read per
	// workload at start-up (default 2000).
	TrainInterval time.Duration
	TrainLimit    int
	// ProgressFloor: a request in flight is predicted to have at least this
	// share of its predicted units left, however long it has run (default
	// 0.1).
	ProgressFloor float64
	// DecisionLog is how many recent routing decisions /api/v1/state shows
	// (default 100).
	DecisionLog int
	// ShutdownTimeout bounds how long a shutdown waits for queued and
	// in-flight requests before answering the rest with 503 (default 30 s).
	ShutdownTimeout time.Duration
}

// The orders of Config.QueueOrder.
const (
	QueueSPF  = "spf"  // shortest predicted first, with aging
	QueueFIFO = "fifo" // oldest first
)

// Default returns the documented defaults.
func Default() Config {
	return Config{
		Policy:             "cost",
		MaxBody:            64 << 20,
		MaxBuffered:        1 << 30,
		ResponseBuffer:     16 << 20,
		QueueLen:           256,
		QueueTimeout:       60 * time.Second,
		QueueOrder:         QueueSPF,
		QueueAging:         2 * time.Second,
		RequestTimeout:     10 * time.Minute,
		MaxRetries:         3,
		RetryBackoff:       50 * time.Millisecond,
		MaxRetryBackoff:    time.Second,
		HealthInterval:     time.Second,
		HealthTimeout:      time.Second,
		HealthyThreshold:   2,
		UnhealthyThreshold: 3,
		EjectAfter:         3,
		SyncInterval:       2 * time.Second,
		TrainInterval:      time.Minute,
		TrainLimit:         2000,
		ProgressFloor:      0.1,
		DecisionLog:        100,
		ShutdownTimeout:    30 * time.Second,

		AttemptTimeoutMin:    2 * time.Second,
		AttemptTimeoutFactor: 3,
		HedgeBudget:          0.05,
		HedgeBurst:           10,
	}
}

// Validate returns every problem of c, each naming its flag, joined.
func (c Config) Validate() error {
	var errs []error
	if c.Policy == "" {
		errs = append(errs, errors.New("policy: must not be empty"))
	}
	positiveInt := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%s: must be in [%d, %d], got %d", name, lo, hi, v))
		}
	}
	positiveInt("queue-len", c.QueueLen, 0, 1_000_000)
	positiveInt("max-retries", c.MaxRetries, 0, 100)
	positiveInt("healthy-threshold", c.HealthyThreshold, 1, 1000)
	positiveInt("unhealthy-threshold", c.UnhealthyThreshold, 1, 1000)
	positiveInt("eject-after", c.EjectAfter, 1, 1000)
	positiveInt("max-inflight", c.MaxInFlight, 0, 1_000_000)
	positiveInt("hedge-burst", c.HedgeBurst, 1, 1_000_000)
	positiveInt("train-limit", c.TrainLimit, 1, 100_000)
	positiveInt("decision-log", c.DecisionLog, 1, 100_000)
	if c.QueueOrder != QueueSPF && c.QueueOrder != QueueFIFO {
		errs = append(errs, fmt.Errorf("queue-order: must be %s or %s, got %q", QueueSPF, QueueFIFO, c.QueueOrder))
	}
	if c.QueueAging < 0 {
		errs = append(errs, fmt.Errorf("queue-aging: must not be negative, got %s", c.QueueAging))
	}
	if c.MaxBody < 1 {
		errs = append(errs, fmt.Errorf("max-body: must be positive, got %d", c.MaxBody))
	}
	if c.ResponseBuffer < 0 {
		errs = append(errs, fmt.Errorf("response-buffer: must not be negative, got %d", c.ResponseBuffer))
	}
	if c.MaxBody > 0 && budget.New(c.MaxBuffered).Room(c.MaxBody) < c.MaxBody {
		errs = append(errs, fmt.Errorf("max-buffered: must hold a body of max-body (%d) besides the eighth kept for small requests: at least %d, got %d",
			c.MaxBody, budget.For(c.MaxBody), c.MaxBuffered))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"queue-timeout", c.QueueTimeout},
		{"request-timeout", c.RequestTimeout},
		{"retry-backoff", c.RetryBackoff},
		{"attempt-timeout-min", c.AttemptTimeoutMin},
		{"max-retry-backoff", c.MaxRetryBackoff},
		{"health-interval", c.HealthInterval},
		{"health-timeout", c.HealthTimeout},
		{"sync-interval", c.SyncInterval},
		{"train-interval", c.TrainInterval},
		{"shutdown-timeout", c.ShutdownTimeout},
	} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %s", d.name, d.v))
		}
	}
	if c.MaxRetryBackoff > 0 && c.RetryBackoff > c.MaxRetryBackoff {
		errs = append(errs, fmt.Errorf("retry-backoff: must be at most max-retry-backoff (%s), got %s", c.MaxRetryBackoff, c.RetryBackoff))
	}
	if !(c.AttemptTimeoutFactor >= 1 && c.AttemptTimeoutFactor <= 1000) {
		errs = append(errs, fmt.Errorf("attempt-timeout-factor: must be in [1, 1000], got %v", c.AttemptTimeoutFactor))
	}
	if !(c.HedgeBudget >= 0 && c.HedgeBudget <= 1) {
		errs = append(errs, fmt.Errorf("hedge-budget: must be in [0, 1], got %v", c.HedgeBudget))
	}
	if !(c.ProgressFloor >= 0 && c.ProgressFloor <= 1) {
		errs = append(errs, fmt.Errorf("progress-floor: must be in [0, 1], got %v", c.ProgressFloor))
	}
	return errors.Join(errs...)
}
