// Package dropmetrics exports the records a metrics.Recorder dropped to
// Prometheus, as the counter vfx_records_dropped_total{kind, reason}: kind
// is the record kind (request, worker_sample, decision), reason why it was
// dropped (queue_full, invalid, after_close, unwritten; see
// metrics.DropReason). Every kind and reason has a series, zeros included,
// so that an alert can watch them from the start. The worker and the load
// balancer register it on their /metrics.
//
// It must not import a metrics store implementation, database/sql or the
// AWS SDK.
package dropmetrics
