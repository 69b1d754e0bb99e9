package loadgen

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// Summary is what a run did.
type Summary struct {
	Target string
	Mix    string
	// Loop is "open" or "closed"; Load describes the arrivals or the
	// clients.
	Loop string
	Load string
	Seed uint64
	// Elapsed is from the start of the run to its last answer.
	Elapsed time.Duration
	// Sent counts the requests that left.
	Sent int
	// Late counts the requests that left more than LateAfter after their
	// scheduled time (the generator was behind), MaxLag is the largest
	// lag.
	Late   int
	MaxLag time.Duration
	// Interrupted reports that the run was cancelled before its end.
	Interrupted bool
	// Rows: one per item that sent requests, one per workload of several
	// such items, then one for all.
	Rows []Row
}

// Row is the figures of an item, a workload or the whole run. Latencies
// are of the successful (2xx) requests, each from its scheduled time to
// the end of its answer.
type Row struct {
	Name     string        // the item, "all <workload>" or "all"
	Workload workload.Kind // "" for all
	Count    int           // requests sent
	OK       int           // answered with a 2xx status
	// Errors counts the others by status ("503") or by failure
	// ("timeout", "no answer", "stopped", "cut").
	Errors map[string]int
	Mean   time.Duration
	P50    time.Duration
	P90    time.Duration
	P99    time.Duration
	Max    time.Duration
	// Throughput is the requests answered (any status) per second of the
	// run.
	Throughput float64
}

// Quantile is the q-quantile (0 < q ≤ 1) of sorted latencies by the
// nearest-rank method: the smallest value with at least q of the values
// at or below it; 0 for none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func statusKey(status int) string { return strconv.Itoa(status) }

// summary is the run's summary from the tallies.
func (c *collector) summary(cfg Config, elapsed time.Duration, interrupted bool) *Summary {
	s := &Summary{
		Target: cfg.Target, Mix: cfg.Mix.Name(), Seed: cfg.Seed, Elapsed: elapsed,
		Sent: int(c.sent.Load()), Late: c.late, MaxLag: c.maxLag, Interrupted: interrupted,
		Loop: "open", Load: cfg.Arrivals.String(),
	}
	if cfg.Clients > 0 {
		s.Loop, s.Load = "closed", fmt.Sprintf("%d clients", cfg.Clients)
		if cfg.Think > 0 {
			s.Load += fmt.Sprintf(", %v between requests", cfg.Think)
		}
	}
	var used []*tally
	kinds := map[workload.Kind][]*tally{}
	for _, t := range c.rows {
		if t.count > 0 {
			used = append(used, t)
			kinds[t.item.kind] = append(kinds[t.item.kind], t)
		}
	}
	for _, t := range used {
		s.Rows = append(s.Rows, row(t.item.name, t.item.kind, elapsed, t))
	}
	for _, k := range workload.Kinds {
		if ts := kinds[k]; len(ts) > 1 {
			s.Rows = append(s.Rows, row("all "+string(k), k, elapsed, ts...))
		}
	}
	s.Rows = append(s.Rows, row("all", "", elapsed, used...))
	return s
}

// row merges tallies into a row.
func row(name string, kind workload.Kind, elapsed time.Duration, ts ...*tally) Row {
	r := Row{Name: name, Workload: kind, Errors: map[string]int{}}
	var lat []time.Duration
	answered := 0
	for _, t := range ts {
		r.Count += t.count
		r.OK += t.ok
		answered += t.answer
		for k, v := range t.errs {
			r.Errors[k] += v
		}
		lat = append(lat, t.lat...)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		var sum time.Duration
		for _, l := range lat {
			sum += l
		}
		r.Mean = sum / time.Duration(len(lat))
		r.P50, r.P90, r.P99 = Quantile(lat, 0.5), Quantile(lat, 0.9), Quantile(lat, 0.99)
		r.Max = lat[len(lat)-1]
	}
	if elapsed > 0 {
		r.Throughput = float64(answered) / elapsed.Seconds()
	}
	return r
}

// Row returns the row called name (an item, "all <workload>" or "all").
func (s *Summary) Row(name string) (Row, bool) {
	i := slices.IndexFunc(s.Rows, func(r Row) bool { return r.Name == name })
	if i < 0 {
		return Row{}, false
	}
	return s.Rows[i], true
}

// Total is the row of all requests.
func (s *Summary) Total() Row {
	r, _ := s.Row("all")
	return r
}
