package main

import (
	"math"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/reqstats"
)

func TestStatusLine(t *testing.T) {
	pool := func(queue int, backlog float64, states ...lifecycle.State) proxy.Snapshot {
		s := proxy.Snapshot{Queue: proxy.QueueInfo{Len: queue}, PredictedBacklog: backlog}
		for _, st := range states {
			s.Workers = append(s.Workers, proxy.WorkerInfo{State: st})
		}
		return s
	}
	tests := []struct {
		name string
		snap proxy.Snapshot
		st   reqstats.Stats
		want string
	}{
		{
			name: "idle at start",
			snap: pool(0, 0, lifecycle.Ready),
			st:   reqstats.Stats{Span: 300 * time.Millisecond},
			want: "workers: 1 ready | queue 0 | last 1s: no requests | backlog 0 units",
		},
		{
			name: "busy",
			snap: pool(3, 12_345_678, lifecycle.Ready, lifecycle.Booting, lifecycle.Ready, lifecycle.Terminated),
			st:   reqstats.Stats{Span: 10 * time.Second, Requests: 24, Rate: 2.4, P50: 35 * time.Millisecond, P99: 412 * time.Millisecond},
			want: "workers: 1 booting, 2 ready | queue 3 | last 10s: 24 requests, 2.4/s, p50 35ms, p99 412ms | backlog 12.3M units",
		},
		{
			name: "failures and every state",
			snap: pool(0, 999.9, lifecycle.Unhealthy, lifecycle.Draining),
			st:   reqstats.Stats{Span: 10 * time.Second, Requests: 3, Failed: 2, Rate: 0.3, P50: 1234 * time.Millisecond, P99: 15 * time.Second},
			want: "workers: 1 unhealthy, 1 draining | queue 0 | last 10s: 3 requests, 0.3/s, p50 1.23s, p99 15s, 2 failed | backlog 1.0k units",
		},
		{
			name: "one request",
			snap: pool(0, 0, lifecycle.Ready),
			st:   reqstats.Stats{Span: 2 * time.Second, Requests: 1, Rate: 0.5, P50: 850 * time.Microsecond, P99: 850 * time.Microsecond},
			want: "workers: 1 ready | queue 0 | last 2s: 1 request, 0.5/s, p50 850µs, p99 850µs | backlog 0 units",
		},
		{
			name: "no worker",
			snap: pool(1, 5e12),
			st:   reqstats.Stats{Span: 10 * time.Second},
			want: "workers: none | queue 1 | last 10s: no requests | backlog 5.0T units",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusLine(tt.snap, tt.st); got != tt.want {
				t.Errorf("statusLine =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestLatencyAndUnits(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Microsecond:   "850µs",
		3449 * time.Microsecond:  "3.4ms",
		35 * time.Millisecond:    "35ms",
		1234 * time.Millisecond:  "1.23s",
		12345 * time.Millisecond: "12.3s",
	} {
		if got := latency(d); got != want {
			t.Errorf("latency(%v) = %q, want %q", d, got, want)
		}
	}
	for v, want := range map[float64]string{
		0: "0", 950: "950", 12_345: "12.3k", 4e6: "4.0M", 2.5e9: "2.5G", -1: "0", math.NaN(): "0",
	} {
		if got := siUnits(v); got != want {
			t.Errorf("siUnits(%v) = %q, want %q", v, got, want)
		}
	}
}
