package health

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lease"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

func TestProbe(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    lifecycle.State
	}{
		{name: "200 is ready", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/health" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("X-Worker-Id", "w1")
			w.Write([]byte(`{"status":"ready"}`))
		}, want: lifecycle.Ready},
		{name: "200 without an id is ready", handler: func(w http.ResponseWriter, r *http.Request) {}, want: lifecycle.Ready},
		{name: "503 is draining", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, want: lifecycle.Draining},
		{name: "500 is booting", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, want: lifecycle.Booting},
		{name: "another worker's answer is booting", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Worker-Id", "w2")
		}, want: lifecycle.Booting},
		{name: "no answer within the timeout is booting", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}, want: lifecycle.Booting},
	}
	p := NewProber(200*time.Millisecond, Lease{})
	defer p.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.handler)
			defer ts.Close()
			if got := p.Probe(context.Background(), ts.URL, "w1"); got != tt.want {
				t.Errorf("Probe = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestProbeNoServer(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	addr := ts.URL
	ts.Close()
	p := NewProber(time.Second, Lease{})
	defer p.Close()
	if got := p.Probe(context.Background(), addr, "w1"); got != lifecycle.Booting {
		t.Errorf("Probe of a closed port = %s; want booting", got)
	}
	if got := p.Probe(context.Background(), "http://bad host", "w1"); got != lifecycle.Booting {
		t.Errorf("Probe of a malformed address = %s; want booting", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ts = httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ts.Close()
	if got := p.Probe(ctx, ts.URL, "w1"); got != lifecycle.Booting {
		t.Errorf("Probe with an ended context = %s; want booting", got)
	}
}

// TestRenew checks that every probe carries the lease header and the
// token, that Renew reports the workers that did not renew, and that
// KeepRenewing renews on its interval.
func TestRenew(t *testing.T) {
	type seen struct{ holder, auth string }
	renewals := make(chan seen, 100)
	worker := func(id string, status int) *httptest.Server {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			renewals <- seen{r.Header.Get(lease.Header), r.Header.Get("Authorization")}
			w.Header().Set("X-Worker-Id", id)
			w.WriteHeader(status)
		}))
		t.Cleanup(ts.Close)
		return ts
	}
	ok, draining, refusing := worker("w1", http.StatusOK), worker("w2", http.StatusServiceUnavailable), worker("w3", http.StatusUnauthorized)
	p := NewProber(2*time.Second, Lease{Holder: "vfx pid 1 on h", Token: "worker-token-0123456789"})
	defer p.Close()

	if st := p.Probe(context.Background(), ok.URL, "w1"); st != lifecycle.Ready {
		t.Fatalf("Probe = %s", st)
	}
	if s := <-renewals; s.holder != "vfx pid 1 on h" || s.auth != "Bearer worker-token-0123456789" {
		t.Errorf("probe sent holder %q, authorization %q", s.holder, s.auth)
	}

	errs := p.Renew(context.Background(), []Target{{"w1", ok.URL}, {"w2", draining.URL}, {"w3", refusing.URL}, {"w4", ok.URL}})
	if len(errs) != 2 || !errors.Is(errs["w3"], ErrRefused) || errs["w4"] == nil {
		t.Errorf("Renew errors %v; want w3 refused and w4 another worker's answer", errs)
	}
	for range 4 {
		<-renewals
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.KeepRenewing(ctx, 10*time.Millisecond, func(context.Context) []Target { return []Target{{"w1", ok.URL}} }, slog.New(slog.DiscardHandler))
	}()
	for range 3 {
		select {
		case s := <-renewals:
			if s.holder == "" {
				t.Error("a renewal without the lease header")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("KeepRenewing renewed fewer than 3 times in 10s")
		}
	}
	cancel()
	<-done
	for len(renewals) > 0 {
		<-renewals
	}

	// Without a holder or a token, a probe sends neither.
	plain := NewProber(2*time.Second, Lease{})
	defer plain.Close()
	plain.Probe(context.Background(), ok.URL, "w1")
	if s := <-renewals; s.holder != "" || s.auth != "" {
		t.Errorf("plain probe sent holder %q, authorization %q", s.holder, s.auth)
	}
}
