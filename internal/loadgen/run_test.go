package loadgen

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
)

// serialServer serves one request at a time, each taking d: a slow server
// whose queue is the subject of the test (the delay is deliberate).
func serialServer(t *testing.T, d time.Duration) string {
	var mu sync.Mutex
	return fakeWorker(t, func(http.ResponseWriter, *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(d)
		return true
	}).URL
}

// TestOpenLoopLatencyFromSchedule: against a server that serves one
// request at a time, each taking 20 ms, latencies count from the
// scheduled times (every 5 ms), so they include the queue: the j-th answer
// cannot end before j×20 ms, and the slowest request waited at least
// 10×20 − 9×5 ms. Measured from when requests left, a generator that
// waits for the server (one request in flight) would hide that queue.
func TestOpenLoopLatencyFromSchedule(t *testing.T) {
	const service, gap, n = 20 * time.Millisecond, 5 * time.Millisecond, 10
	for _, tc := range []struct {
		name     string
		inFlight int // 1: the generator itself must wait for the server
	}{
		{"queue in the server", 100},
		{"queue in the generator", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := runConfig(t, serialServer(t, service))
			cfg.Arrivals = Arrivals{Kind: Constant, Rate: float64(time.Second / gap)}
			cfg.Count, cfg.MaxInFlight = n, tc.inFlight
			var got collect
			cfg.Trace = &got
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("%d entries, want %d", len(got), n)
			}
			var ends []time.Duration
			var slowest time.Duration
			for i, e := range got {
				if e.Seq != i || e.At != time.Duration(i)*gap || !e.OK() {
					t.Fatalf("entry %d: %+v", i, e)
				}
				ends = append(ends, e.At+e.Latency)
				slowest = max(slowest, e.Latency)
			}
			slices.Sort(ends)
			for j, end := range ends {
				if end < time.Duration(j+1)*service {
					t.Errorf("answer %d ends %v after the start: before the server could have served %d requests", j+1, end, j+1)
				}
			}
			if least := n*service - (n-1)*gap; slowest < least || sum.Total().Max != slowest {
				t.Errorf("slowest latency %v (summary max %v), want at least %v", slowest, sum.Total().Max, least)
			}
			last := got[n-1]
			if tc.inFlight == 1 {
				// It left at least 9×20 ms after its start, 45 ms after its
				// scheduled time: the generator was behind and says so.
				if lag := last.Sent - last.At; lag < time.Duration(n-1)*service-last.At {
					t.Errorf("last request left %v late, want at least %v", lag, time.Duration(n-1)*service-last.At)
				}
				if sum.Late == 0 || sum.MaxLag < time.Duration(n-1)*service-last.At {
					t.Errorf("summary: %d late, max lag %v; want the generator's lag reported", sum.Late, sum.MaxLag)
				}
			}
		})
	}
}

// TestClosedLoopBound: N clients never have more than N requests in
// flight, and do reach N.
func TestClosedLoopBound(t *testing.T) {
	const clients, count = 3, 12
	var (
		inFlight, most, arrived atomic.Int64
		gate                    = make(chan struct{})
	)
	ts := fakeWorker(t, func(http.ResponseWriter, *http.Request) bool {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if cur <= m || most.CompareAndSwap(m, cur) {
				break
			}
		}
		// The first requests wait until every client has sent one.
		if arrived.Add(1) == clients {
			close(gate)
		}
		select {
		case <-gate:
		case <-time.After(10 * time.Second):
		}
		// Then each is held a moment: the hold is the subject, long
		// enough for a request beyond the bound to arrive meanwhile.
		time.Sleep(100 * time.Millisecond)
		return true
	})
	cfg := runConfig(t, ts.URL)
	cfg.Clients, cfg.Count = clients, count
	var got collect
	cfg.Trace = &got
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if most.Load() != clients {
		t.Errorf("at most %d requests in flight, want %d", most.Load(), clients)
	}
	if sum.Sent != count || sum.Total().OK != count || len(got) != count || sum.Loop != "closed" {
		t.Errorf("sent %d, ok %d, %d entries, loop %s", sum.Sent, sum.Total().OK, len(got), sum.Loop)
	}
	for i := 1; i < len(got); i++ {
		if got[i].At < got[i-1].At {
			t.Errorf("request %d taken at %v, before request %d at %v", i, got[i].At, i-1, got[i-1].At)
		}
	}
}

// TestClosedLoopDuration: a closed loop bounded by time alone stops by
// itself.
func TestClosedLoopDuration(t *testing.T) {
	cfg := runConfig(t, fakeWorker(t, nil).URL)
	cfg.Clients, cfg.Duration, cfg.Think = 2, 200*time.Millisecond, 10*time.Millisecond
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent == 0 || sum.Sent > 2*21 || sum.Total().OK != sum.Sent {
		t.Errorf("sent %d, ok %d in 200ms with 2 clients pausing 10ms", sum.Sent, sum.Total().OK)
	}
}

func TestCheckTarget(t *testing.T) {
	for _, tc := range []struct {
		url    string
		remote bool // allowed
		err    string
	}{
		{"http://127.0.0.1:8000", false, ""},
		{"http://127.0.0.2:8000/", false, ""},
		{"http://localhost", false, ""},
		{"https://[::1]:8443/base", false, ""},
		{"http://10.0.0.1:8000", false, "10.0.0.1:8000: the target is not on this machine"},
		{"http://example.com", false, "example.com: the target is not on this machine"},
		{"http://0.0.0.0:8000", false, "not on this machine"},
		{"http://example.com", true, ""},
		{"ftp://127.0.0.1", false, "want http://HOST:PORT"},
		{"127.0.0.1:8000", false, "want http://HOST:PORT"},
		{"http://", false, "has no host"},
		{"http://127.0.0.1:8000/?x=1", false, "without user, query or fragment"},
	} {
		_, err := CheckTarget(tc.url, tc.remote)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("CheckTarget(%q, %v): %v, want %q", tc.url, tc.remote, err, tc.err)
		}
		if strings.Contains(tc.err, "not on this machine") && !errors.Is(err, ErrRemote) {
			t.Errorf("CheckTarget(%q): %v is not ErrRemote", tc.url, err)
		}
	}
	// Run refuses before sending anything.
	cfg := runConfig(t, "http://192.0.2.1:8000")
	cfg.Count = 1
	if _, err := Run(context.Background(), cfg); !errors.Is(err, ErrRemote) {
		t.Errorf("Run to a remote target: %v", err)
	}
}

// TestTraceRoundTrip: every request is written, in sequence order, with
// what the server said; trace.ReadFile reads it back in both forms.
func TestTraceRoundTrip(t *testing.T) {
	ts := fakeWorker(t, nil)
	for _, name := range []string{"run.jsonl", "run.csv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			f, err := CreateTrace(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg := runConfig(t, ts.URL)
			cfg.Count, cfg.Trace = 20, f
			cfg.Arrivals = Arrivals{Kind: Poisson, Rate: 1000}
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := trace.ReadFile(path, trace.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 20 || sum.Sent != 20 {
				t.Fatalf("%d entries, %d sent", len(entries), sum.Sent)
			}
			ids := map[string]bool{}
			want := cfg.Mix.items[0].input.Features
			for i, e := range entries {
				if e.Seq != i || e.Item != "blur-1x1" || !reflect.DeepEqual(e.Features, want) || e.Status != 200 ||
					e.Worker != "w1" || e.Units != 42 || e.CPU != 1500*time.Microsecond || e.Wall != 2*time.Millisecond ||
					e.Latency <= 0 || e.Sent < e.At || !strings.HasPrefix(e.RequestID, "srv-") || e.Error != "" {
					t.Errorf("entry %d: %+v", i, e)
				}
				ids[e.RequestID] = true
			}
			if len(ids) != 20 {
				t.Errorf("%d distinct request ids, want 20", len(ids))
			}
		})
	}
}

// TestErrorsCounted: error answers and timeouts are counted by status and
// failure, and the trace says why.
func TestErrorsCounted(t *testing.T) {
	var n atomic.Int64
	ts := fakeWorker(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch n.Add(1) % 3 {
		case 1:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "queue full\nsecond line", http.StatusServiceUnavailable)
			return false
		case 2:
			<-r.Context().Done() // never answers: the client's timeout ends it
			return false
		}
		return true
	})
	cfg := runConfig(t, ts.URL)
	cfg.Count, cfg.Timeout = 9, 300*time.Millisecond
	cfg.Arrivals = Arrivals{Kind: Constant, Rate: 1000}
	var got collect
	cfg.Trace = &got
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	total := sum.Total()
	if total.Count != 9 || total.OK != 3 || total.Errors["503"] != 3 || total.Errors["timeout"] != 3 || len(total.Errors) != 2 {
		t.Errorf("total %+v", total)
	}
	if total.Throughput <= 0 {
		t.Errorf("throughput %v", total.Throughput)
	}
	for _, e := range got {
		switch {
		case e.Status == 503 && e.Error != "queue full":
			t.Errorf("503 entry error %q", e.Error)
		case e.Status == 0 && (e.Error != "no answer within 300ms" || e.Latency < 300*time.Millisecond):
			t.Errorf("timeout entry %+v", e)
		}
	}
}

// TestCancelStopsAndDrains: a cancelled run stops sending, waits for the
// answers in flight (a bounded time) and summarises what ran.
func TestCancelStopsAndDrains(t *testing.T) {
	for _, tc := range []struct {
		name    string
		release bool // the server answers after the cancellation
	}{
		{"answers come during the drain", true},
		{"the drain ends first", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				arrived atomic.Int64
				once    sync.Once
			)
			five, release := make(chan struct{}), make(chan struct{})
			releaseAll := func() { once.Do(func() { close(release) }) }
			ts := fakeWorker(t, func(w http.ResponseWriter, r *http.Request) bool {
				if arrived.Add(1) == 5 {
					close(five)
				}
				select {
				case <-release:
					return true
				case <-r.Context().Done():
					return false
				}
			})
			defer releaseAll()
			cfg := runConfig(t, ts.URL)
			cfg.Count = 1000
			cfg.Arrivals = Arrivals{Kind: Constant, Rate: 200}
			cfg.Drain = 10 * time.Second
			if !tc.release {
				cfg.Drain = 100 * time.Millisecond
			}
			var got collect
			cfg.Trace = &got
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-five
				cancel()
				if tc.release {
					releaseAll()
				}
			}()
			sum, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			total := sum.Total()
			if !sum.Interrupted || sum.Sent < 5 || sum.Sent >= 1000 || total.Count != sum.Sent || len(got) != sum.Sent {
				t.Fatalf("interrupted %v, sent %d, total %+v, %d entries", sum.Interrupted, sum.Sent, total, len(got))
			}
			if tc.release {
				if total.OK != sum.Sent {
					t.Errorf("total %+v: want every request in flight answered during the drain", total)
				}
			} else if total.OK != 0 || total.Errors["stopped"] != sum.Sent {
				t.Errorf("total %+v: want every request stopped", total)
			}
		})
	}
}

// TestConfigValidate: every problem named by its field.
func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	c.Target = "http://example.com"
	c.Clients, c.Count, c.Duration = -1, MaxCount+1, 25*time.Hour
	c.Timeout, c.Drain, c.Think = 0, time.Hour, -time.Second
	err := c.Validate()
	for _, want := range []string{
		"url: example.com: the target is not on this machine",
		"mix: missing",
		"clients: -1 is not in [0, 10000]",
		"count: 10000001 is not in [0, 10000000]",
		"duration: 25h0m0s is not in [0, 24h0m0s]",
		"timeout: 0s is not in (0, 1h0m0s]",
		"drain: 1h0m0s is not in [0, 10m0s]",
		"think: -1s is not in [0, 1h0m0s]",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\nlacks %q", err, want)
		}
	}
	c = runConfig(t, "http://127.0.0.1:1")
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "count: a run needs a bound") {
		t.Errorf("unbounded run: %v", err)
	}
	c.Arrivals = Arrivals{Kind: Bursts, Bursts: 2, BurstGap: time.Second}
	if err := c.Validate(); err != nil {
		t.Errorf("bursts bound a run: %v", err)
	}
}
