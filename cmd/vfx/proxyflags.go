package main

import (
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/proxy"
)

// bindProxyFlags registers the load balancer's flags on fs with c's
// current values as defaults; parsing fs sets c's fields.
func bindProxyFlags(fs *pflag.FlagSet, c *proxy.Config) {
	fs.StringVar(&c.Policy, "policy", c.Policy, "routing policy: cost, least-requests, round-robin, p2c or cpu")
	sizeVar(fs, &c.MaxBody, "max-body", "largest request body, e.g. 64MiB (413 beyond it, at once when its Content-Length says so)")
	sizeVar(fs, &c.MaxBuffered, "max-buffered", "memory budget for request bodies as they are read, decoding their headers and responses read ahead, e.g. 1GiB (503 + Retry-After beyond, before more is read); its last eighth is kept for small requests")
	sizeVar(fs, &c.ResponseBuffer, "response-buffer", "how much of a worker's response is read before it is sent on, e.g. 16MiB, within --max-buffered; a worker dying within it is retried elsewhere")
	fs.IntVar(&c.QueueLen, "queue-len", c.QueueLen, "requests that may wait for a worker (503 + Retry-After beyond)")
	fs.DurationVar(&c.QueueTimeout, "queue-timeout", c.QueueTimeout, "longest wait in the queue (then 503 + Retry-After)")
	fs.StringVar(&c.QueueOrder, "queue-order", c.QueueOrder, "order queued requests get workers in: spf (smallest predicted first, with aging) or fifo")
	fs.DurationVar(&c.QueueAging, "queue-aging", c.QueueAging, "under spf, a request queued this long goes before every younger one")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", c.RequestTimeout, "deadline of one request, queueing and retries included (then 504)")
	fs.IntVar(&c.MaxRetries, "max-retries", c.MaxRetries, "further attempts on other workers: retries after a connection failure or 502/503, and hedges")
	fs.DurationVar(&c.AttemptTimeoutMin, "attempt-timeout-min", c.AttemptTimeoutMin, "floor of each attempt's deadline (this + --attempt-timeout-factor × its predicted time); past it the worker is suspect and the request hedged on another worker")
	fs.Float64Var(&c.AttemptTimeoutFactor, "attempt-timeout-factor", c.AttemptTimeoutFactor, "multiplier of an attempt's predicted time in its deadline (slack for prediction error)")
	fs.Float64Var(&c.HedgeBudget, "hedge-budget", c.HedgeBudget, "share of requests that may be hedged, e.g. 0.05 for 5 % (0: none, but away from workers that stopped answering)")
	fs.IntVar(&c.HedgeBurst, "hedge-burst", c.HedgeBurst, "hedges that may go at once beyond --hedge-budget")
	fs.DurationVar(&c.RetryBackoff, "retry-backoff", c.RetryBackoff, "wait before the first retry (doubles per retry)")
	fs.DurationVar(&c.MaxRetryBackoff, "max-retry-backoff", c.MaxRetryBackoff, "longest wait between retries")
	fs.DurationVar(&c.HealthInterval, "health-interval", c.HealthInterval, "interval of the active health checks (GET /health)")
	fs.DurationVar(&c.HealthTimeout, "health-timeout", c.HealthTimeout, "timeout of one health check")
	fs.IntVar(&c.HealthyThreshold, "healthy-threshold", c.HealthyThreshold, "consecutive passed checks that make a booting or unhealthy worker ready")
	fs.IntVar(&c.UnhealthyThreshold, "unhealthy-threshold", c.UnhealthyThreshold, "consecutive failed checks that eject a worker")
	fs.IntVar(&c.EjectAfter, "eject-after", c.EjectAfter, "consecutive forwarding failures that eject a worker")
	fs.IntVar(&c.MaxInFlight, "max-inflight", c.MaxInFlight, "requests sent to one worker at once (0 = the worker's own limit from its /status)")
	fs.DurationVar(&c.SyncInterval, "sync-interval", c.SyncInterval, "how often the provider's list of workers is read")
	fs.DurationVar(&c.TrainInterval, "train-interval", c.TrainInterval, "how often the cost model learns from new records in the store")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a shutdown waits for queued and in-flight requests")
}
