package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// printSummary prints, over the seeds, each policy's median (min–max) of
// mean, p50 and p99 latency, and cost's ratio to each other policy.
func printSummary(w io.Writer, o options, seeds []uint64, pols []string, all map[string][]row) {
	var uniq []string
	for _, p := range pols {
		if !slices.Contains(uniq, p) {
			uniq = append(uniq, p)
		}
	}
	pols = uniq
	pool := fmt.Sprintf("%d workers, one CPU each", o.workers)
	if o.dockerCPUs != "" {
		pool = "Docker workers at " + o.dockerCPUs + " CPU"
	}
	seedText := make([]string, len(seeds))
	for i, s := range seeds {
		seedText[i] = fmt.Sprint(s)
	}
	fmt.Fprintf(w, "### Summary over seeds %s (%s; %d bursts each; %d runs per policy, the order rotating)\n\n",
		strings.Join(seedText, ", "), pool, o.bursts, len(all[pols[0]]))
	metrics := []struct {
		name string
		get  func(row) time.Duration
	}{
		{"mean", func(r row) time.Duration { return r.mean }},
		{"p50", func(r row) time.Duration { return r.p50 }},
		{"p99", func(r row) time.Duration { return r.p99 }},
	}
	fmt.Fprintln(w, "| policy | errors | mean ms | p50 ms | p99 ms |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, p := range pols {
		errs := 0
		for _, r := range all[p] {
			errs += r.errors
		}
		fmt.Fprintf(w, "| %s | %d |", p, errs)
		for _, m := range metrics {
			var v []float64
			for _, r := range all[p] {
				v = append(v, float64(m.get(r).Microseconds())/1000)
			}
			lo, med, hi := spread(v)
			fmt.Fprintf(w, " %.0f (%.0f–%.0f) |", med, lo, hi)
		}
		fmt.Fprintln(w)
	}
	if len(all["cost"]) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| cost ÷ policy, run by run | mean | p50 | p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, p := range pols {
		if p == "cost" || len(all[p]) != len(all["cost"]) {
			continue
		}
		fmt.Fprintf(w, "| %s |", p)
		for _, m := range metrics {
			var v []float64
			for i := range all[p] {
				if b := m.get(all[p][i]); b > 0 {
					v = append(v, float64(m.get(all["cost"][i]))/float64(b))
				}
			}
			lo, med, hi := spread(v)
			fmt.Fprintf(w, " %.2f× (%.2f–%.2f) |", med, lo, hi)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nEach cell: the median over the runs (min–max); a ratio pairs the n-th run of cost with the n-th of the other policy on the same seed.")
}

// spread returns the min, median and max of v (zeros for none).
func spread(v []float64) (lo, med, hi float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	med = s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[0], med, s[len(s)-1]
}
