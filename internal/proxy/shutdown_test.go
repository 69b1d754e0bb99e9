package proxy

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestShutdownClosesConnectionsToWorkers checks that a load balancer that
// has forwarded requests and health-checked its worker leaves no
// connection to it open once Shutdown returns: neither the forwarding
// transport's idle connections nor the health checker's.
func TestShutdownClosesConnectionsToWorkers(t *testing.T) {
	var open, checks atomic.Int64
	w := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			checks.Add(1)
			fmt.Fprintln(w, `{"status":"ready"}`)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Work-Units", "5")
		fmt.Fprint(w, "ok")
	}))
	w.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	w.Start()
	t.Cleanup(w.Close)
	r := newRig(t, testConfig(), nil, w.URL)
	r.srv.Start(context.Background(), nil)
	waitFor(t, 10*time.Second, "a health check of the worker", func() bool { return checks.Load() > 0 })
	if resp := r.post(); readAll(t, resp) != "ok" {
		t.Fatalf("request through the load balancer: %s", resp.Status)
	}
	if n := open.Load(); n < 2 {
		t.Fatalf("%d connections open to the worker, want the forwarding one and the health checker's", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the load balancer to close its connections to the worker", func() bool { return open.Load() == 0 })
}
