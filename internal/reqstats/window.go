package reqstats

import (
	"math"
	"sync"
	"time"
)

// The latency histogram's scale: buckets from minLatency to maxLatency,
// each growth times wider than the one before.
const (
	minLatency = time.Microsecond
	maxLatency = time.Hour
	growth     = 1.02
)

var (
	logGrowth = math.Log(growth)
	nBuckets  = int(math.Ceil(math.Log(float64(maxLatency)/float64(minLatency))/logGrowth)) + 1
)

// Options shape a Window.
type Options struct {
	// Span is the window's length (default 10 s).
	Span time.Duration
	// Resolution is the length of one slot (default 1 s): requests leave
	// the window a slot at a time.
	Resolution time.Duration
}

// Window holds the latencies of the requests of the last Span. It is safe
// for concurrent use.
type Window struct {
	res   time.Duration
	start time.Time

	mu    sync.Mutex
	slots []slot
}

// slot is the requests of one Resolution-long interval.
type slot struct {
	index  int64 // the interval: time since the epoch / Resolution
	n      int
	failed int
	hist   []uint32 // counts per latency bucket, nil while n == 0
}

// NewWindow returns an empty window; start is when measuring began (the
// rate of a younger window is over the time since then).
func NewWindow(start time.Time, o Options) *Window {
	if o.Span <= 0 {
		o.Span = 10 * time.Second
	}
	if o.Resolution <= 0 || o.Resolution > o.Span {
		o.Resolution = min(time.Second, o.Span)
	}
	n := int((o.Span + o.Resolution - 1) / o.Resolution)
	return &Window{res: o.Resolution, start: start, slots: make([]slot, n)}
}

// Record adds a request that ended at now after latency; failed says
// whether it failed (the server could not serve it).
func (w *Window) Record(now time.Time, latency time.Duration, failed bool) {
	idx := now.UnixNano() / int64(w.res)
	w.mu.Lock()
	defer w.mu.Unlock()
	s := &w.slots[int(idx%int64(len(w.slots)))]
	if s.index != idx {
		s.index, s.n, s.failed = idx, 0, 0
		clear(s.hist)
	}
	if s.hist == nil {
		s.hist = make([]uint32, nBuckets)
	}
	s.n++
	if failed {
		s.failed++
	}
	s.hist[bucket(latency)]++
}

// Stats is what a Window says about its requests.
type Stats struct {
	// Span is the time the figures cover: the window's span, or less
	// while the window is younger than that.
	Span time.Duration
	// Requests and Failed count the requests that ended within Span.
	Requests, Failed int
	// Rate is Requests per second of Span.
	Rate float64
	// P50 and P99 are percentiles of their latencies (0 without
	// requests).
	P50, P99 time.Duration
}

// Stats returns the figures of the requests that ended in the last span
// before now.
func (w *Window) Stats(now time.Time) Stats {
	cur := now.UnixNano() / int64(w.res)
	oldest := cur - int64(len(w.slots)) + 1
	from := time.Unix(0, oldest*int64(w.res))
	if from.Before(w.start) {
		from = w.start
	}
	st := Stats{Span: max(now.Sub(from), 0)}
	merged := make([]uint64, nBuckets)
	w.mu.Lock()
	for i := range w.slots {
		s := &w.slots[i]
		if s.n == 0 || s.index < oldest || s.index > cur {
			continue
		}
		st.Requests += s.n
		st.Failed += s.failed
		for b, c := range s.hist {
			merged[b] += uint64(c)
		}
	}
	w.mu.Unlock()
	if st.Requests == 0 {
		return st
	}
	if st.Span > 0 {
		st.Rate = float64(st.Requests) / st.Span.Seconds()
	}
	st.P50 = quantile(merged, st.Requests, 0.50)
	st.P99 = quantile(merged, st.Requests, 0.99)
	return st
}

// bucket is the histogram bucket of a latency.
func bucket(d time.Duration) int {
	if d <= minLatency {
		return 0
	}
	i := int(math.Log(float64(d)/float64(minLatency)) / logGrowth)
	return min(i, nBuckets-1)
}

// quantile is the latency at quantile q of n counted latencies: the
// geometric middle of the bucket that holds the ceil(q·n)-th smallest,
// within [minLatency, maxLatency].
func quantile(hist []uint64, n int, q float64) time.Duration {
	rank := uint64(math.Ceil(q * float64(n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range hist {
		seen += c
		if seen >= rank {
			mid := time.Duration(float64(minLatency) * math.Pow(growth, float64(i)+0.5))
			return min(max(mid, minLatency), maxLatency)
		}
	}
	return maxLatency
}
