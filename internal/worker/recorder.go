package worker

import "github.com/specialvfx/vfx/internal/metrics"

// Recorder receives the worker's records. metrics.Recorder implements it
// (asynchronous and batched); both methods must return without waiting for
// a store. A Recorder that also reports the records it dropped
// (dropmetrics.Source, as metrics.Recorder does) has them counted on
// /metrics as vfx_records_dropped_total.
type Recorder interface {
	Request(metrics.RequestRecord)
	WorkerSample(metrics.WorkerSample)
}

// nopRecorder drops everything: the worker runs without a store.
type nopRecorder struct{}

func (nopRecorder) Request(metrics.RequestRecord)     {}
func (nopRecorder) WorkerSample(metrics.WorkerSample) {}
