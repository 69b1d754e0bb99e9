package proxy

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/workload"
)

// accuracyReporter is implemented by estimators that track their error
// (estimator.Model).
type accuracyReporter interface {
	Accuracy(kind workload.Kind) (mape float64, n int)
}

// promMetrics are the load balancer's Prometheus metrics, on a private
// registry.
type promMetrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	queueWait  prometheus.Histogram
	retries    *prometheus.CounterVec
	hedges     *prometheus.CounterVec
	predicted  *prometheus.CounterVec
	actual     *prometheus.CounterVec
	predErrors *prometheus.HistogramVec
}

func newPromMetrics(pool *Pool, est Estimator) *promMetrics {
	m := &promMetrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_lb_requests_total",
			Help: "Compute requests by workload and outcome (ok, client_error, server_error, cancelled, rejected).",
		}, []string{"workload", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vfx_lb_request_duration_seconds",
			Help:    "Time from a compute request's arrival to its response, queueing and retries included.",
			Buckets: prometheus.ExponentialBucketsRange(0.001, 600, 20),
		}, []string{"workload"}),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vfx_lb_queue_wait_seconds",
			Help:    "Time requests waited in the queue for a worker.",
			Buckets: prometheus.ExponentialBucketsRange(0.0001, 60, 16),
		}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_lb_retries_total",
			Help: "Requests sent again to another worker, by the reason the previous attempt failed (connect, busy, bad_gateway, response).",
		}, []string{"reason"}),
		hedges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_lb_hedges_total",
			Help: "Hedges (a request sent to a second worker while an attempt that outlived its deadline still runs), by result: sent, won (its answer was relayed), lost, refused (by the hedge budget).",
		}, []string{"result"}),
		predicted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_lb_predicted_units_total",
			Help: "Predicted work units of the requests served, by workload.",
		}, []string{"workload"}),
		actual: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_lb_actual_units_total",
			Help: "Work units the workers reported for the requests served, by workload.",
		}, []string{"workload"}),
		predErrors: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vfx_lb_prediction_error_ratio",
			Help:    "Absolute prediction error relative to the actual units, per served request.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10},
		}, []string{"workload"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.queueWait, m.retries, m.hedges, m.predicted, m.actual, m.predErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&poolCollector{pool: pool, est: est})
	if dr, ok := pool.policy.(balancer.DriftReporter); ok {
		// Read when scraped, so it always agrees with the state API.
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vfx_lb_cost_trust",
			Help: "How far the cost policy trusts its predictions, 0..1: below 1 when the observed service of completed requests scatters around the predicted one, and it blends towards least-requests.",
		}, func() float64 { return dr.DriftState().Trust }))
	}
	for _, r := range []string{hedgeSent, hedgeWon, hedgeLost, hedgeRefused} {
		m.hedges.WithLabelValues(r)
	}
	for _, k := range workload.Kinds {
		m.duration.WithLabelValues(string(k))
		m.predicted.WithLabelValues(string(k))
		m.actual.WithLabelValues(string(k))
	}
	return m
}

// observeUnits books a served request's predicted and actual units.
func (m *promMetrics) observeUnits(k workload.Kind, predicted float64, actual int64) {
	m.predicted.WithLabelValues(string(k)).Add(predicted)
	m.actual.WithLabelValues(string(k)).Add(float64(actual))
	if actual > 0 {
		m.predErrors.WithLabelValues(string(k)).Observe(math.Abs(predicted-float64(actual)) / float64(actual))
	}
}

// poolCollector reports the pool's and the estimator's state at scrape
// time.
type poolCollector struct {
	pool *Pool
	est  Estimator
}

var (
	descWorkers = prometheus.NewDesc("vfx_lb_workers", "Workers by state (booting, ready, unhealthy, draining, terminated).", []string{"state"}, nil)
	descInFl    = prometheus.NewDesc("vfx_lb_in_flight", "Requests in flight on workers.", nil, nil)
	descQueue   = prometheus.NewDesc("vfx_lb_queue_length", "Requests waiting for a worker.", nil, nil)
	descQUnits  = prometheus.NewDesc("vfx_lb_queue_predicted_units", "Predicted work units of the requests waiting.", nil, nil)
	descBacklog = prometheus.NewDesc("vfx_lb_predicted_backlog_units", "Predicted work units left in flight plus queued.", nil, nil)
	descRate    = prometheus.NewDesc("vfx_lb_arrival_rate_units", "Predicted work units arriving per second over the last 10 s.", nil, nil)
	descMAPE    = prometheus.NewDesc("vfx_lb_estimator_mape", "Mean absolute percentage error of the cost model over its recent predictions, by workload.", []string{"workload"}, nil)
	descMAPEN   = prometheus.NewDesc("vfx_lb_estimator_samples", "Predictions the MAPE is computed over, by workload.", []string{"workload"}, nil)
	descSrcMAPE = prometheus.NewDesc("vfx_lb_estimator_source_mape", "Mean absolute percentage error of the cost model over its recent predictions, by workload and by where they came from (prior, model, probe, memory).", []string{"workload", "source"}, nil)
	descSrcN    = prometheus.NewDesc("vfx_lb_estimator_source_samples", "Predictions the MAPE by source is computed over.", []string{"workload", "source"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descWorkers, descInFl, descQueue, descQUnits, descBacklog, descRate, descMAPE, descMAPEN, descSrcMAPE, descSrcN} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Snapshot()
	for st, n := range s.CountByState() {
		ch <- prometheus.MustNewConstMetric(descWorkers, prometheus.GaugeValue, float64(n), st.String())
	}
	inFlight := 0
	for _, w := range s.Workers {
		inFlight += w.InFlight
	}
	ch <- prometheus.MustNewConstMetric(descInFl, prometheus.GaugeValue, float64(inFlight))
	ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(s.Queue.Len))
	ch <- prometheus.MustNewConstMetric(descQUnits, prometheus.GaugeValue, s.Queue.PredictedUnits)
	ch <- prometheus.MustNewConstMetric(descBacklog, prometheus.GaugeValue, s.PredictedBacklog)
	ch <- prometheus.MustNewConstMetric(descRate, prometheus.GaugeValue, s.Queue.ArrivalRate)
	if acc, ok := c.est.(accuracyReporter); ok {
		for _, k := range workload.Kinds {
			mape, n := acc.Accuracy(k)
			ch <- prometheus.MustNewConstMetric(descMAPE, prometheus.GaugeValue, mape, string(k))
			ch <- prometheus.MustNewConstMetric(descMAPEN, prometheus.GaugeValue, float64(n), string(k))
		}
	}
	if sa, ok := c.est.(sourceAccuracyReporter); ok {
		for _, k := range workload.Kinds {
			for _, src := range estimator.Sources {
				mape, n := sa.SourceAccuracy(k, src)
				ch <- prometheus.MustNewConstMetric(descSrcMAPE, prometheus.GaugeValue, mape, string(k), src)
				ch <- prometheus.MustNewConstMetric(descSrcN, prometheus.GaugeValue, float64(n), string(k), src)
			}
		}
	}
}
