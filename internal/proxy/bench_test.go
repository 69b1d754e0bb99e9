package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/provider"
)

// BenchmarkProxyOverhead measures one small ray-tracer request (test01 at
// 1x1) sent straight to a stub worker and through the load balancer (real
// decoding, cost model and cost policy) in front of it, over loopback
// HTTP with keep-alive. The difference of the two is what the load
// balancer adds per request.
func BenchmarkProxyOverhead(b *testing.B) {
	const path = "/raytracer?scols=1&srows=1&wcols=1&wrows=1&coff=0&roff=0"
	body := rayBody()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Work-Units", "120")
		w.Header().Set("X-Wall-Ms", "0.05")
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "data:image/bmp;base64,Qk06AAAAAAAAADYAAAAoAAAAAQAAAAEAAAABABgAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAgICAAA==")
	}))
	defer backend.Close()

	cfg := Default()
	pol, err := balancer.New("cost")
	if err != nil {
		b.Fatal(err)
	}
	speeds := estimator.NewSpeeds(estimator.SpeedOptions{})
	pool := NewPool(PoolOptions{Config: cfg, Policy: pol, Speeds: speeds})
	pool.Add(provider.Instance{ID: "w0", Address: backend.URL})
	for range cfg.HealthyThreshold {
		pool.healthResult("w0", nil, nil)
	}
	srv, err := New(Options{Config: cfg, Pool: pool, Estimator: estimator.New(estimator.Options{}), Speeds: speeds})
	if err != nil {
		b.Fatal(err)
	}
	lb := httptest.NewServer(srv.Handler())
	defer lb.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, target := range []struct{ name, url string }{{"direct", backend.URL}, {"via-lb", lb.URL}} {
		b.Run(target.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := client.Post(target.url+path, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}

// BenchmarkAcquireRelease is the pool's side of routing one request: a snapshot of
// every worker, the cost policy's pick and its explanation.
func BenchmarkAcquireRelease(b *testing.B) {
	for _, n := range []int{8, 256} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			pol, _ := balancer.New("cost")
			cfg := Default()
			pool := NewPool(PoolOptions{Config: cfg, Policy: pol, Speeds: estimator.NewSpeeds(estimator.SpeedOptions{})})
			for i := range n {
				id := fmt.Sprintf("w%d", i)
				pool.Add(provider.Instance{ID: id, Address: "http://" + id})
				for range cfg.HealthyThreshold {
					pool.healthResult(id, nil, nil)
				}
			}
			ctx := b.Context()
			for b.Loop() {
				l, err := pool.acquire(ctx, request{units: 1e6}, nil, true)
				if err != nil {
					b.Fatal(err)
				}
				pool.release(l, resultOK)
			}
		})
	}
}
