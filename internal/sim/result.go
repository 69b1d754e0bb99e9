package sim

import (
	"math"
	"slices"
	"time"
)

// Result is what one run did.
type Result struct {
	Routing, Scaling string

	Requests  int // requests in the input
	Completed int // answered
	Rejected  int // refused: the queue was full
	TimedOut  int // waited QueueTimeout in the queue
	Failed    int // their worker died more than MaxRetries times
	Retries   int // attempts retried after a worker died

	// Latency percentiles of the completed requests, from arrival to
	// completion.
	P50, P95, P99, Mean, Max time.Duration
	// SLO is the latency target; Attained is the share of all requests
	// answered within it (refused and failed ones miss it).
	SLO      time.Duration
	Attained float64

	WorkerSeconds float64 // from each worker's launch to its termination or the end
	Launched      int     // workers launched by the autoscaler
	Drained       int     // workers drained and terminated
	Replaced      int     // failed workers terminated and replaced
	Died          int     // workers that failed
	ScaleEvents   int     // evaluations that launched, drained or replaced workers
	QueuePeak     int     // most requests waiting at once
	PoolPeak      int     // most workers ready or booting at once
	End           time.Duration

	// Latencies are the completed requests' latencies in seconds, sorted.
	Latencies []float64
	// Series samples the run every autoscaler interval.
	Series []Sample
	// Events counts the simulation's events, for throughput figures.
	Events int64
	// Measured marks the figures of a recorded trace (Measured), which
	// has no pool figures.
	Measured bool
}

// Sample is the state of the run at one time.
type Sample struct {
	T        float64 // seconds
	Ready    int
	Booting  int
	Desired  int     // the autoscaler's target (the pool when none)
	Queue    int     // requests waiting
	InFlight int     // requests on workers
	Backlog  float64 // predicted units queued and left in flight
	// P50 and P99 are of the requests completed since the previous
	// sample, in seconds (NaN when none).
	P50, P99 float64
}

// quantile is the nearest-rank q-quantile of sorted values (0 for none).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Quantile is the nearest-rank q-quantile of the completed requests'
// latencies, in seconds.
func (r *Result) Quantile(q float64) float64 { return quantile(r.Latencies, q) }

func secs(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// finish fills the latency figures from the latencies.
func (r *Result) finish(lat []float64) {
	slices.Sort(lat)
	r.Latencies = lat
	if len(lat) == 0 {
		return
	}
	var sum float64
	within := 0
	slo := r.SLO.Seconds()
	for _, l := range lat {
		sum += l
		if l <= slo {
			within++
		}
	}
	r.P50, r.P95, r.P99 = secs(quantile(lat, 0.5)), secs(quantile(lat, 0.95)), secs(quantile(lat, 0.99))
	r.Mean, r.Max = secs(sum/float64(len(lat))), secs(lat[len(lat)-1])
	if r.Requests > 0 {
		r.Attained = float64(within) / float64(r.Requests)
	}
}
