package dropmetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/specialvfx/vfx/internal/metrics"
)

// Name is the counter's metric name.
const Name = "vfx_records_dropped_total"

// Source reports how many records were dropped, by kind and reason
// (metrics.Recorder).
type Source interface {
	Drops() []metrics.Drop
}

// collector reads the counts from its source at every scrape.
type collector struct {
	src  Source
	desc *prometheus.Desc
}

// NewCollector returns a collector of src's drop counts; labels are added
// to every series (nil for none).
func NewCollector(src Source, labels prometheus.Labels) prometheus.Collector {
	return &collector{src: src, desc: prometheus.NewDesc(Name,
		"Metrics records dropped instead of written to the store, by record kind and reason.",
		[]string{"kind", "reason"}, labels)}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	for _, d := range c.src.Drops() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(d.Count), string(d.Kind), string(d.Reason))
	}
}
