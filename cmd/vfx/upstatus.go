package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/console"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/reqstats"
)

// statusEvery is how often vfx up redraws its status line.
const statusEvery = time.Second

// startStatus redraws the live status line of vfx up every statusEvery
// until ctx ends, then removes it; wait returns once it has.
func startStatus(ctx context.Context, con *console.Console, pool *proxy.Pool, win *reqstats.Window) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(statusEvery)
		defer t.Stop()
		for {
			now := time.Now()
			con.SetLive(statusLine(pool.Snapshot(), win.Stats(now)))
			select {
			case <-ctx.Done():
				con.SetLive("")
				return
			case <-t.C:
			}
		}
	}()
	return func() { <-done }
}

// statusLine is the one-line status of a running vfx up: workers by state,
// the queue, the requests of the last seconds (rate, p50, p99, failures)
// and the predicted backlog, e.g.
//
//	workers: 2 ready, 1 booting | queue 0 | last 10s: 24 requests, 2.4/s, p50 35ms, p99 410ms | backlog 12.3M units
func statusLine(snap proxy.Snapshot, st reqstats.Stats) string {
	counts := snap.CountByState()
	var workers []string
	for _, s := range lifecycle.States() {
		if n := counts[s]; n > 0 && s != lifecycle.Terminated {
			workers = append(workers, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(workers) == 0 {
		workers = []string{"none"}
	}
	span := fmt.Sprintf("last %.0fs", math.Max(st.Span.Seconds(), 1))
	reqs := span + ": no requests"
	if st.Requests > 0 {
		noun := "requests"
		if st.Requests == 1 {
			noun = "request"
		}
		reqs = fmt.Sprintf("%s: %d %s, %s/s, p50 %s, p99 %s", span, st.Requests, noun, strconv.FormatFloat(st.Rate, 'f', 1, 64), latency(st.P50), latency(st.P99))
		if st.Failed > 0 {
			reqs += fmt.Sprintf(", %d failed", st.Failed)
		}
	}
	return strings.Join([]string{
		"workers: " + strings.Join(workers, ", "),
		fmt.Sprintf("queue %d", snap.Queue.Len),
		reqs,
		"backlog " + siUnits(snap.PredictedBacklog) + " units",
	}, " | ")
}

// latency rounds a latency to two or three significant digits: 850µs,
// 3.4ms, 35ms, 1.23s, 12.3s.
func latency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		d = d.Round(time.Microsecond)
	case d < 10*time.Millisecond:
		d = d.Round(100 * time.Microsecond)
	case d < time.Second:
		d = d.Round(time.Millisecond)
	case d < 10*time.Second:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(100 * time.Millisecond)
	}
	return d.String()
}

// siUnits writes a count of work units with a k, M, G or T suffix and
// one decimal: 950, 12.3k, 4.0M.
func siUnits(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		v = 0
	}
	for _, u := range []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= u.scale*0.9995 {
			return strconv.FormatFloat(v/u.scale, 'f', 1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
