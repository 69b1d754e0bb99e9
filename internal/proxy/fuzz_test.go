package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServeWork sends arbitrary queries and bodies to the load balancer's
// compute endpoints: it must never panic, and must answer either with the
// worker's response or with a 4xx and a one-line message.
func FuzzServeWork(f *testing.F) {
	f.Add(uint8(0), "scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0", rayBody())
	f.Add(uint8(0), "scols=8&srows=6&wcols=-1&wrows=6&coff=0&roff=0&aa=TRUE", []byte(`{"scene": "0 0 0"}`))
	f.Add(uint8(1), "", pngDataURL(4, 3))
	f.Add(uint8(2), "", []byte("data:image/png;base64,%%%"))
	f.Add(uint8(1), "", []byte("data:image/gif;base64,R0lGODlh"))
	w0 := okWorker(f, "fuzz", 1)
	cfg := testConfig()
	cfg.MaxBody = 1 << 20
	pool := NewPool(PoolOptions{Config: cfg, Policy: firstReady{}})
	srv, err := New(Options{Config: cfg, Pool: pool, Estimator: &fakeEst{units: 1}})
	if err != nil {
		f.Fatal(err)
	}
	pool.Add(instance("w0", w0.URL))
	for range cfg.HealthyThreshold {
		pool.healthResult("w0", nil, nil)
	}
	h := srv.Handler()
	paths := []string{"/raytracer", "/blurimage", "/enhanceimage"}
	f.Fuzz(func(t *testing.T, which uint8, query string, body []byte) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, "/x", bytes.NewReader(body))
		req.URL.Path, req.URL.RawQuery = path, query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch code := rec.Code; {
		case code == 200:
			if rec.Body.String() != "served by fuzz" {
				t.Fatalf("200 with body %q", rec.Body)
			}
		case code == 400 || code == 413 || code == 415:
			msg := strings.TrimSuffix(rec.Body.String(), "\n")
			if msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("%d with message %q, want one line", code, msg)
			}
		default:
			t.Fatalf("status %d: %s", code, rec.Body)
		}
	})
}

// FuzzWorkerStatus decodes arbitrary /status documents: never a panic, and
// a limit is taken only from a number.
func FuzzWorkerStatus(f *testing.F) {
	f.Add(`{"cpu_percent": 12.5, "max_inflight": 4}`)
	f.Add(`{"max_in_flight": -3}`)
	f.Add(`{"cpu_percent": "x"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var st workerStatus
		if err := json.Unmarshal([]byte(doc), &st); err != nil {
			return
		}
		_ = st.maxInFlight()
	})
}
