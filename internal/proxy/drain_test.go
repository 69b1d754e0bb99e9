package proxy

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestShutdownCountsWhatBecameOfRequests: of two requests in flight when
// a shutdown begins, one finishes within its wait and one is handed back
// when the wait ends; Drained and the error say so, and a request that
// comes after the shutdown began is not counted.
func TestShutdownCountsWhatBecameOfRequests(t *testing.T) {
	g := newGateWorker(t)
	r := newRig(t, testConfig(), nil, g.URL)
	first := r.send(context.Background(), "first")
	second := r.send(context.Background(), "second")
	waitFor(t, 10*time.Second, "both at the worker", func() bool { return len(g.arrived()) == 2 })
	if n := r.srv.Handling(); n != 2 {
		t.Errorf("Handling = %d, want 2", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	shut := make(chan error, 1)
	go func() { shut <- r.srv.Shutdown(ctx) }()
	waitFor(t, 10*time.Second, "the shutdown to begin", func() bool { return r.srv.shutting.Load() })
	late := r.post()
	if body := readAll(t, late); late.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a request after the shutdown began: %d %q", late.StatusCode, body)
	}
	g.gate <- struct{}{} // one of them finishes
	select {
	case resp := <-first:
		checkStatus(t, resp, http.StatusOK)
		first = nil
	case resp := <-second:
		checkStatus(t, resp, http.StatusOK)
		second = nil
	case <-time.After(10 * time.Second):
		t.Fatal("no request finished")
	}
	cancel() // the wait ends: the other one is handed back
	for _, ch := range []<-chan *http.Response{first, second} {
		if ch != nil {
			checkStatus(t, <-ch, http.StatusServiceUnavailable)
		}
	}
	err := <-shut
	if err == nil || !strings.HasPrefix(err.Error(), "1 requests still running at shutdown were handed back with 503") {
		t.Errorf("Shutdown = %v; want 1 request handed back", err)
	}
	if d := r.srv.Drained(); d != (Drained{Finished: 1, HandedBack: 1}) {
		t.Errorf("Drained = %+v; want 1 finished, 1 handed back", d)
	}
}

// TestShutdownHandsBackNothingItDidNot: a shutdown whose wait ends while
// nothing is left to hand back reports no hand-back. (A context that has
// ended and requests that are all done leave both ways open to Shutdown;
// it must not claim 503s it never sent.)
func TestShutdownHandsBackNothingItDidNot(t *testing.T) {
	for i := range 20 {
		r := newRig(t, testConfig(), nil, newGateWorker(t).URL)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := r.srv.Shutdown(ctx); err != nil {
			t.Fatalf("run %d: Shutdown with nothing in flight and an ended context = %v", i, err)
		}
		if d := r.srv.Drained(); d != (Drained{}) {
			t.Fatalf("run %d: Drained = %+v", i, d)
		}
	}
}

func checkStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp == nil {
		t.Fatalf("no response; want %d", want)
	}
	if body := readAll(t, resp); resp.StatusCode != want {
		t.Errorf("status %d %q; want %d", resp.StatusCode, body, want)
	}
}
