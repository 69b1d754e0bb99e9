package main

import (
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/proxy"
)

// bindProxyFlags registers the load balancer's flags on fs with c's
// current values as defaults; parsing fs sets c's fields.
func bindProxyFlags(fs *pflag.FlagSet, c *proxy.Config) {
	fs.StringVar(&c.Policy, "policy", c.Policy, "routing policy: cost, least-requests, round-robin, p2c or cpu")
	fs.Int64Var(&c.MaxBody, "max-body", c.MaxBody, "largest request body in bytes (413 beyond, at once when its Content-Length says so)")
	fs.Int64Var(&c.MaxBuffered, "max-buffered", c.MaxBuffered, "memory budget in bytes for request bodies as they are read, decoding their headers and responses read ahead (503 + Retry-After beyond, before more is read); its last eighth is kept for small requests")
	fs.Int64Var(&c.ResponseBuffer, "response-buffer", c.ResponseBuffer, "bytes of a worker's response read before sending it on, within --max-buffered; a worker dying within them is retried elsewhere")
	fs.IntVar(&c.QueueLen, "queue-len", c.QueueLen, "requests that may wait for a worker (503 + Retry-After beyond)")
	fs.DurationVar(&c.QueueTimeout, "queue-timeout", c.QueueTimeout, "longest wait in the queue (then 503 + Retry-After)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", c.RequestTimeout, "deadline of one request, queueing and retries included (then 504)")
	fs.IntVar(&c.MaxRetries, "max-retries", c.MaxRetries, "retries on another worker after a connection failure or 502/503")
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
