package metrics

import "time"

// RecorderOptions tune a Recorder. A zero or negative field takes its
// default.
type RecorderOptions struct {
	// BatchSize is the most records one store call writes, and the queue
	// length of one record kind that triggers a write before the interval
	// ends. Default 256.
	BatchSize int
	// FlushInterval is how often queued records are written even if fewer
	// than BatchSize are waiting. Default 1s.
	FlushInterval time.Duration
	// QueueLen bounds the records held in memory, waiting or being written,
	// over all kinds; a record that finds the queue full is dropped and
	// counted. Default 65536.
	QueueLen int
	// MaxRetries is how many times a failed write is retried before its
	// records are counted as failed and logged. Default 3.
	MaxRetries int
	// RetryBackoff is the wait before the first retry; it doubles with
	// each further retry. Default 100ms.
	RetryBackoff time.Duration
	// WriteTimeout bounds one store call. Default 10s.
	WriteTimeout time.Duration
	// Tick, if not nil, replaces the FlushInterval ticker: every value
	// received from it flushes the queue. Tests drive flushes with it.
	Tick <-chan time.Time
}

// Recorder defaults.
const (
	DefaultBatchSize     = 256
	DefaultFlushInterval = time.Second
	DefaultQueueLen      = 65536
	DefaultMaxRetries    = 3
	DefaultRetryBackoff  = 100 * time.Millisecond
	DefaultWriteTimeout  = 10 * time.Second
)

func (o RecorderOptions) withDefaults() RecorderOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.QueueLen <= 0 {
		o.QueueLen = DefaultQueueLen
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = DefaultRetryBackoff
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	return o
}
