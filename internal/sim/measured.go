package sim

import (
	"math"
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
)

// MeasuredRouting and MeasuredScaling name the row of a Measured result.
const (
	MeasuredRouting = "measured"
	MeasuredScaling = "(trace)"
)

// Measured summarises what a recorded trace measured, to set beside the
// simulations of the same requests: the latencies of its 2xx answers, its
// other answers as refused, the SLO attainment, and the latency over time
// sampled every interval. It has no pool figures (WorkerSeconds is NaN). It
// returns nil when the trace records no answer (a plan).
func Measured(entries []trace.Entry, slo, interval time.Duration) *Result {
	r := &Result{Routing: MeasuredRouting, Scaling: MeasuredScaling, SLO: slo, Measured: true, WorkerSeconds: math.NaN()}
	type done struct{ end, lat float64 }
	var ds []done
	for _, e := range entries {
		if !e.Ran() {
			continue
		}
		r.Requests++
		if !e.OK() {
			r.Rejected++
			continue
		}
		r.Completed++
		ds = append(ds, done{end: (e.At + e.Latency).Seconds(), lat: e.Latency.Seconds()})
	}
	if r.Requests == 0 {
		return nil
	}
	slices.SortFunc(ds, func(a, b done) int {
		switch {
		case a.end < b.end:
			return -1
		case a.end > b.end:
			return 1
		}
		return 0
	})
	lat := make([]float64, len(ds))
	var window []float64
	step := interval.Seconds()
	next := step
	flush := func(t float64) {
		s := Sample{T: t, P50: math.NaN(), P99: math.NaN()}
		if len(window) > 0 {
			slices.Sort(window)
			s.P50, s.P99 = quantile(window, 0.5), quantile(window, 0.99)
			window = window[:0]
		}
		r.Series = append(r.Series, s)
	}
	for i, d := range ds {
		lat[i] = d.lat
		for step > 0 && d.end > next {
			flush(next)
			next += step
		}
		window = append(window, d.lat)
	}
	flush(next)
	if len(ds) > 0 {
		r.End = secs(ds[len(ds)-1].end)
	}
	r.finish(lat)
	return r
}
