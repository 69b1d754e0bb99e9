package loadgen

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// planConfig is an open-loop configuration of n requests of m, Poisson
// at 100/s, seed 42, with no target.
func planConfig(m *Mix, n int) Config {
	c := DefaultConfig()
	c.Mix, c.Count, c.Seed = m, n, 42
	c.Arrivals = Arrivals{Kind: Poisson, Rate: 100}
	return c
}

// tiny is the tiny preset's mix.
func tiny(t *testing.T) *Mix {
	t.Helper()
	m, err := tinyMix()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fakeWorker answers every request as a worker does, with its cost
// headers and a request id of its own, after handle (if not nil) has seen
// it; handle may write an error answer and return false.
func fakeWorker(t *testing.T, handle func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := "srv-" + strconv.FormatInt(n.Add(1), 10)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Server-Request-Id", id)
		w.Header().Set("X-Worker-Id", "w1")
		if handle != nil && !handle(w, r) {
			return
		}
		w.Header().Set("X-Work-Units", "42")
		w.Header().Set("X-CPU-Ms", "1.500")
		w.Header().Set("X-Wall-Ms", "2.000")
		io.WriteString(w, "data:image/png;base64,iVBORw0KGgo=")
	}))
	t.Cleanup(ts.Close)
	return ts
}

// runConfig is a configuration of the tiny mix against url.
func runConfig(t *testing.T, url string) Config {
	c := DefaultConfig()
	c.Target, c.Mix, c.Seed = url, tiny(t), 1
	c.Timeout = 30 * time.Second
	return c
}
