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
	// than BatchSize are waiting: at most this much of a killed process's
	// records is lost. Default 100ms.
	FlushInterval time.Duration
	// QueueLen bounds the records held in memory, waiting or being written,
	// over all kinds; a record that finds the queue full is dropped and
	// counted. Records whose write failed stay in the queue, so this is
	// also how many records an unavailable store can owe. Default 65536.
	QueueLen int
	// RetryBackoff is the wait before writing again after a failed write;
	// it doubles with each further failure, up to MaxBackoff, and a write
	// that succeeds resets it. Default 100ms.
	RetryBackoff time.Duration
	// MaxBackoff is the longest wait between two writes while the store
	// fails. Default 5s.
	MaxBackoff time.Duration
	// WriteTimeout bounds one store call. Default 10s.
	WriteTimeout time.Duration
	// LogInterval is the least time between two log lines about dropped
	// records, or about a store that keeps failing. Default 10s.
	LogInterval time.Duration
	// Tick, if not nil, replaces the FlushInterval ticker: every value
	// received from it flushes the queue. Tests drive flushes with it.
	Tick <-chan time.Time
}

// Recorder defaults.
const (
	DefaultBatchSize     = 256
	DefaultFlushInterval = 100 * time.Millisecond
	DefaultQueueLen      = 65536
	DefaultRetryBackoff  = 100 * time.Millisecond
	DefaultMaxBackoff    = 5 * time.Second
	DefaultWriteTimeout  = 10 * time.Second
	DefaultLogInterval   = 10 * time.Second
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
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = DefaultRetryBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.RetryBackoff)
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.LogInterval <= 0 {
		o.LogInterval = DefaultLogInterval
	}
	return o
}
