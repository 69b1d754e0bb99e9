package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/trace"
)

// row is one policy's figures.
type row struct {
	policy        string
	n, failed     int
	p50, p99      time.Duration
	withinSLO     float64 // share of all requests answered within their objective
	workerSeconds float64
	maxPool       int
	events        int
	duration      time.Duration
}

func (r row) line() string {
	return fmt.Sprintf("%d requests, %d failed, p50 %v, p99 %v, %.1f%% within the objective, %.0f worker-s, max pool %d, %d scale events",
		r.n, r.failed, r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond), 100*r.withinSLO, r.workerSeconds, r.maxPool, r.events)
}

// summarize computes a policy's figures from its requests' trace
// entries (latencies from their scheduled times). Worker-seconds integrate
// the number of running workers (step function of the samples) over the
// trace.
func summarize(policy string, types []reqType, es []trace.Entry, ss []sample, end time.Duration) (row, error) {
	r := row{policy: policy, n: len(es), duration: end}
	var lat []time.Duration
	ok := 0
	for _, e := range es {
		if !e.OK() {
			r.failed++
			continue
		}
		t, err := typeOf(types, e)
		if err != nil {
			return row{}, err
		}
		lat = append(lat, e.Latency)
		if e.Latency <= t.objective {
			ok++
		}
	}
	if len(es) > 0 {
		r.withinSLO = float64(ok) / float64(len(es))
	}
	slices.Sort(lat)
	r.p50, r.p99 = loadgen.Quantile(lat, 0.5), loadgen.Quantile(lat, 0.99)
	for i, s := range ss {
		r.maxPool = max(r.maxPool, s.running)
		next := end
		if i+1 < len(ss) {
			next = ss[i+1].t
		}
		if next > s.t {
			r.workerSeconds += float64(s.running) * (next - s.t).Seconds()
		}
	}
	return r, nil
}

func printReport(w io.Writer, prov string, cpus, scale float64, seed uint64, phases []loadgen.Phase, types []reqType, rows []row, factor float64, slack time.Duration) {
	fmt.Fprintf(w, "Autoscaler benchmark: provider %s", prov)
	if prov == "docker" {
		fmt.Fprintf(w, " (%.2g CPU per worker)", cpus)
	}
	n := 0
	if len(rows) > 0 {
		n = rows[0].n
	}
	fmt.Fprintf(w, ", %d host cores, trace seed %d: %d ray-trace requests, Poisson arrivals,", hostCores(), seed, n)
	for i, p := range phases {
		sep := ","
		if i == len(phases)-1 {
			sep = "."
		}
		fmt.Fprintf(w, " %s %v at %g/s%s", p.Name, p.Duration, p.Rate, sep)
	}
	fmt.Fprintln(w, " Worker-seconds integrate the workers that exist (booting, ready and draining; sampled every 250 ms) over the trace.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Latency objective: %g × the request's unloaded latency + %v:\n\n", factor, slack)
	fmt.Fprintln(w, "| request | share | unloaded | objective |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, t := range types {
		fmt.Fprintf(w, "| %s | %.0f%% | %v | %v |\n", t.Name, 100*t.Weight, t.unloaded.Round(time.Millisecond), t.objective.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| policy | requests | failed | p50 | p99 | within objective | worker-seconds | max pool | scale events |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %d | %v | %v | %.1f%% | %.0f | %d | %d |\n",
			r.policy, r.n, r.failed, r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond),
			100*r.withinSLO, r.workerSeconds, r.maxPool, r.events)
	}
	if scale != 1 {
		fmt.Fprintf(w, "\nThe cpu policy's thresholds were scaled by %.3g (to %.3g%% / %.3g%% of each worker's CPU quota).\n",
			scale, 50*scale, 15*scale)
	}
}
