package worker

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/dropmetrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// telemetry is the worker's Prometheus metrics, on a registry of its own,
// and the request totals /status reports.
type telemetry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	cpu      *prometheus.HistogramVec
	units    *prometheus.CounterVec
	inFlight prometheus.Gauge
	cpuPct   prometheus.Gauge
	memory   prometheus.Gauge

	mu     sync.Mutex
	totals map[workload.Kind]map[metrics.Outcome]int64
}

func newTelemetry(id string, maxInflight int) *telemetry {
	labels := prometheus.Labels{"worker": id}
	t := &telemetry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_worker_requests_total", Help: "Compute requests by workload and outcome.", ConstLabels: labels,
		}, []string{"workload", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vfx_worker_request_duration_seconds", Help: "Wall time of compute requests, from arrival to response.",
			ConstLabels: labels, Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 14),
		}, []string{"workload", "outcome"}),
		cpu: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vfx_worker_request_cpu_seconds", Help: "Thread CPU time of compute requests (decode, workload, encode).",
			ConstLabels: labels, Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 14),
		}, []string{"workload"}),
		units: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vfx_worker_work_units_total", Help: "Deterministic work units of served requests.", ConstLabels: labels,
		}, []string{"workload"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vfx_worker_in_flight", Help: "Compute requests being served.", ConstLabels: labels,
		}),
		cpuPct: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vfx_worker_cpu_percent", Help: "CPU use of the worker process at the last sample, in % of all cores.", ConstLabels: labels,
		}),
		memory: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vfx_worker_memory_bytes", Help: "Resident memory of the worker process at the last sample.", ConstLabels: labels,
		}),
		totals: make(map[workload.Kind]map[metrics.Outcome]int64),
	}
	maxG := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vfx_worker_max_in_flight", Help: "Limit of compute requests served at once.", ConstLabels: labels,
	})
	maxG.Set(float64(maxInflight))
	t.reg.MustRegister(t.requests, t.duration, t.cpu, t.units, t.inFlight, t.cpuPct, t.memory, maxG,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return t
}

// countDrops adds the records src dropped to the metrics
// (vfx_records_dropped_total, see package dropmetrics).
func (t *telemetry) countDrops(src dropmetrics.Source, id string) {
	t.reg.MustRegister(dropmetrics.NewCollector(src, prometheus.Labels{"worker": id}))
}

// observe counts one finished compute request.
func (t *telemetry) observe(rec *metrics.RequestRecord) {
	k, o := string(rec.Features.Kind), string(rec.Outcome)
	t.requests.WithLabelValues(k, o).Inc()
	t.duration.WithLabelValues(k, o).Observe(rec.Wall.Seconds())
	if rec.Outcome == metrics.OutcomeOK {
		t.cpu.WithLabelValues(k).Observe(rec.CPU.Seconds())
		t.units.WithLabelValues(k).Add(float64(rec.Units))
	}
	t.mu.Lock()
	m := t.totals[rec.Features.Kind]
	if m == nil {
		m = make(map[metrics.Outcome]int64)
		t.totals[rec.Features.Kind] = m
	}
	m[rec.Outcome]++
	t.mu.Unlock()
}

// snapshotTotals copies the request totals by workload and outcome.
func (t *telemetry) snapshotTotals() map[string]map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]map[string]int64, len(t.totals))
	for k, m := range t.totals {
		c := make(map[string]int64, len(m))
		for o, n := range m {
			c[string(o)] = n
		}
		out[string(k)] = c
	}
	return out
}

func (t *telemetry) handler() http.Handler {
	return promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{})
}

// registerMemory adds the memory budget's gauges: its size and what
// requests hold of it.
func (t *telemetry) registerMemory(id string, limit int64, reserved func() int64) {
	labels := prometheus.Labels{"worker": id}
	maxG := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vfx_worker_max_memory_bytes", Help: "The worker's memory budget (--max-memory).", ConstLabels: labels,
	})
	maxG.Set(float64(limit))
	t.reg.MustRegister(maxG, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vfx_worker_memory_reserved_bytes", Help: "Bytes of the memory budget held by requests: bodies, decoding, pixels, answers.", ConstLabels: labels,
	}, func() float64 { return float64(reserved()) }))
}
