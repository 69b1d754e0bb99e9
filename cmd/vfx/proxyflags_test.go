package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/proxy"
)

func TestProxyFlags(t *testing.T) {
	c := proxy.Default()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	bindProxyFlags(fs, &c)
	defaults := map[string]string{
		"policy": "cost", "max-body": "64MiB", "max-buffered": "1GiB", "response-buffer": "16MiB",
		"queue-len": "256", "queue-timeout": "1m0s", "queue-order": "spf", "queue-aging": "2s", "request-timeout": "10m0s", "max-retries": "3",
		"attempt-timeout-min": "2s", "attempt-timeout-factor": "3", "hedge-budget": "0.05", "hedge-burst": "10",
		"retry-backoff": "50ms", "max-retry-backoff": "1s", "health-interval": "1s", "health-timeout": "1s",
		"healthy-threshold": "2", "unhealthy-threshold": "3", "eject-after": "3", "max-inflight": "0",
		"sync-interval": "2s", "train-interval": "1m0s", "shutdown-timeout": "30s",
	}
	n := 0
	fs.VisitAll(func(*pflag.Flag) { n++ })
	if n != len(defaults) {
		t.Errorf("%d flags registered, want %d", n, len(defaults))
	}
	for name, def := range defaults {
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("flag --%s not registered", name)
			continue
		}
		if f.DefValue != def {
			t.Errorf("--%s default %q, want %q", name, f.DefValue, def)
		}
	}
	err := fs.Parse([]string{"--policy=p2c", "--max-body=1KiB", "--max-buffered=4096", "--response-buffer=0",
		"--queue-len=5", "--queue-timeout=2s", "--queue-order=fifo", "--queue-aging=5s", "--request-timeout=1m", "--max-retries=1", "--retry-backoff=10ms",
		"--attempt-timeout-min=500ms", "--attempt-timeout-factor=4.5", "--hedge-budget=0.2", "--hedge-burst=3",
		"--max-retry-backoff=100ms", "--health-interval=500ms", "--health-timeout=200ms", "--healthy-threshold=1",
		"--unhealthy-threshold=2", "--eject-after=4", "--max-inflight=8", "--sync-interval=3s",
		"--train-interval=5m", "--shutdown-timeout=1s"})
	if err != nil {
		t.Fatal(err)
	}
	want := proxy.Default()
	want.Policy, want.MaxBody, want.MaxBuffered, want.ResponseBuffer = "p2c", 1024, 4096, 0
	want.QueueLen, want.QueueTimeout, want.RequestTimeout, want.MaxRetries = 5, 2*time.Second, time.Minute, 1
	want.QueueOrder, want.QueueAging = proxy.QueueFIFO, 5*time.Second
	want.RetryBackoff, want.MaxRetryBackoff = 10*time.Millisecond, 100*time.Millisecond
	want.AttemptTimeoutMin, want.AttemptTimeoutFactor, want.HedgeBudget, want.HedgeBurst = 500*time.Millisecond, 4.5, 0.2, 3
	want.HealthInterval, want.HealthTimeout, want.HealthyThreshold, want.UnhealthyThreshold = 500*time.Millisecond, 200*time.Millisecond, 1, 2
	want.EjectAfter, want.MaxInFlight, want.SyncInterval = 4, 8, 3*time.Second
	want.TrainInterval, want.ShutdownTimeout = 5*time.Minute, time.Second
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}
