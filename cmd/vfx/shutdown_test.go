package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/proxy"
)

// TestShutdownReport: what a stop says of the requests it waited for.
func TestShutdownReport(t *testing.T) {
	for n, want := range map[int]string{0: "no request to finish", 1: "finishing 1 request", 3: "finishing 3 requests"} {
		if got := finishing(n); got != want {
			t.Errorf("finishing(%d) = %q, want %q", n, got, want)
		}
	}
	for _, tc := range []struct {
		name string
		d    proxy.Drained
		want string // "" for no line
	}{
		{"nothing waited for", proxy.Drained{}, ""},
		{"all finished", proxy.Drained{Finished: 2, Cut: 1}, `level=INFO msg="requests running at shutdown finished" finished=2 handed_back=0 cut=1 unfinished=0`},
		{"one handed back", proxy.Drained{Finished: 1, HandedBack: 1}, `level=WARN msg="requests still running at shutdown were handed back with 503" finished=1 handed_back=1 cut=0 unfinished=0`},
		{"one left running", proxy.Drained{Unfinished: 1}, `level=WARN msg="requests still running when the load balancer stopped" finished=0 handed_back=0 cut=0 unfinished=1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logDrained(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}})), tc.d)
			if got := strings.TrimSpace(buf.String()); got != tc.want {
				t.Errorf("logged %q, want %q", got, tc.want)
			}
		})
	}
}
