package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

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
	p := NewProber(200 * time.Millisecond)
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
	p := NewProber(time.Second)
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
