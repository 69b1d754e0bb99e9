package main

import (
	"fmt"
	"io"
	"slices"
	"time"
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

// summarize computes a policy's figures. Worker-seconds integrate the
// number of running workers (step function of the samples) over the trace.
func summarize(policy string, types []reqType, rs []result, ss []sample, end time.Duration) row {
	r := row{policy: policy, n: len(rs), duration: end}
	var lat []time.Duration
	ok := 0
	for _, x := range rs {
		if x.err != nil {
			r.failed++
			continue
		}
		lat = append(lat, x.latency)
		if x.latency <= types[x.Type].objective {
			ok++
		}
	}
	if len(rs) > 0 {
		r.withinSLO = float64(ok) / float64(len(rs))
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[min(len(lat)-1, int(0.99*float64(len(lat))))]
	}
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
	return r
}

func printReport(w io.Writer, prov string, cpus, scale float64, seed uint64, phases []phase, trace []arrival, types []reqType, rows []row, factor float64, slack time.Duration) {
	fmt.Fprintf(w, "Autoscaler benchmark: provider %s", prov)
	if prov == "docker" {
		fmt.Fprintf(w, " (%.2g CPU per worker)", cpus)
	}
	fmt.Fprintf(w, ", %d host cores, trace seed %d: %d ray-trace requests, Poisson arrivals,", hostCores(), seed, len(trace))
	for i, p := range phases {
		sep := ","
		if i == len(phases)-1 {
			sep = "."
		}
		fmt.Fprintf(w, " %s %v at %g/s%s", p.Name, p.Dur, p.Rate, sep)
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
