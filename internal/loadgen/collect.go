package loadgen

import (
	"slices"
	"sync/atomic"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
)

// recentLen is how many of the latest successful latencies the progress
// percentiles are computed over.
const recentLen = 1024

// collector is the one goroutine that accounts for the results of a run:
// it writes their trace entries in sequence order, keeps the figures of
// the summary and reports progress. Nothing it holds is shared.
type collector struct {
	sink     Sink
	sinkErr  error
	progress func(Progress)
	every    time.Duration
	sent     *atomic.Int64

	next    int                 // the next sequence number to write
	pending map[int]trace.Entry // results that came before an earlier one

	rows     []*tally // per item of the mix
	byItem   map[*mixItem]int
	late     int
	maxLag   time.Duration
	recent   [recentLen]time.Duration
	nRecent  int
	answered int
	errors   int
}

// tally is the figures of one item.
type tally struct {
	item   *mixItem
	count  int
	ok     int
	errs   map[string]int
	lat    []time.Duration // of the successful requests
	answer int             // requests with an HTTP answer, whatever its status
}

func newCollector(c Config, sent *atomic.Int64) *collector {
	col := &collector{
		sink: c.Trace, progress: c.Progress, every: c.ProgressEvery, sent: sent,
		pending: map[int]trace.Entry{}, byItem: map[*mixItem]int{},
	}
	for i, it := range c.Mix.items {
		col.rows = append(col.rows, &tally{item: it, errs: map[string]int{}})
		col.byItem[it] = i
	}
	return col
}

// run takes results until the channel closes, reporting progress.
func (c *collector) run(results <-chan result, start time.Time) {
	var tick <-chan time.Time
	if c.progress != nil {
		t := time.NewTicker(c.every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case res, ok := <-results:
			if !ok {
				c.flush()
				return
			}
			c.add(res)
		case <-tick:
			c.progress(c.snapshot(time.Since(start)))
		}
	}
}

func (c *collector) add(res result) {
	if lag := res.sent - res.at; lag > c.maxLag {
		c.maxLag = lag
	}
	if res.sent-res.at > LateAfter {
		c.late++
	}
	t := c.rows[c.byItem[res.item]]
	t.count++
	c.answered++
	lat := res.end - res.at
	switch {
	case res.status >= 200 && res.status < 300:
		t.ok++
		t.answer++
		t.lat = append(t.lat, lat)
		c.recent[c.nRecent%recentLen] = lat
		c.nRecent++
	case res.status != 0:
		t.answer++
		t.errs[statusKey(res.status)]++
		c.errors++
	default:
		t.errs[res.fail]++
		c.errors++
	}
	c.write(entryOf(res))
}

// entryOf is the trace entry of a result.
func entryOf(res result) trace.Entry {
	e := trace.Entry{
		Seq: res.seq, At: res.at, Item: res.item.name, Features: res.input.Features,
		Sent: res.sent, Latency: res.end - res.at, Status: res.status,
		Worker: res.worker, Units: res.units, CPU: res.cpu, Wall: res.wall, RequestID: res.requestID,
	}
	if res.status < 200 || res.status >= 300 {
		e.Error = res.msg
		if e.Error == "" {
			e.Error = res.fail
		}
	}
	return e
}

// write passes e to the sink in sequence order.
func (c *collector) write(e trace.Entry) {
	if c.sink == nil {
		return
	}
	if e.Seq != c.next {
		c.pending[e.Seq] = e
		return
	}
	c.emit(e)
	c.next++
	for {
		p, ok := c.pending[c.next]
		if !ok {
			return
		}
		delete(c.pending, c.next)
		c.emit(p)
		c.next++
	}
}

// flush writes what waits for a request that was never sent.
func (c *collector) flush() {
	seqs := make([]int, 0, len(c.pending))
	for s := range c.pending {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	for _, s := range seqs {
		c.emit(c.pending[s])
	}
	clear(c.pending)
}

func (c *collector) emit(e trace.Entry) {
	if c.sinkErr == nil {
		c.sinkErr = c.sink.Write(e)
	}
}

// snapshot is the progress so far.
func (c *collector) snapshot(elapsed time.Duration) Progress {
	n := min(c.nRecent, recentLen)
	lat := slices.Clone(c.recent[:n])
	slices.Sort(lat)
	return Progress{
		Elapsed: elapsed, Sent: int(c.sent.Load()), Answered: c.answered, Errors: c.errors,
		P50: Quantile(lat, 0.5), P99: Quantile(lat, 0.99), Late: c.late, MaxLag: c.maxLag,
	}
}
