package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/access"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

const (
	adminToken  = "admin-token-0123456789abcdef"
	workerToken = "worker-token-0123456789abcdef"
)

func secret(t *testing.T, s string) access.Secret {
	t.Helper()
	sec, err := access.ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// do sends a request to the load balancer with an optional bearer token
// and returns the status, headers and body.
func (r *rig) do(method, path, token string, body []byte) (int, http.Header, string) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.lb.URL+path, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, readAll(r.t, resp)
}

// TestAdminToken: with an admin token, the state and admin endpoints and
// /metrics answer 401 without it or with a wrong one; the compute
// endpoints, /health and the index need no token.
func TestAdminToken(t *testing.T) {
	w0 := okWorker(t, "alpha", 1)
	r := newRigWith(t, testConfig(), nil, func(o *Options) { o.AdminToken = secret(t, adminToken) }, w0.URL)
	for _, tc := range []struct {
		name, method, path, token string
		status                    int
	}{
		{"compute without a token", "POST", rayPath, "", 200},
		{"state without a token", "GET", "/api/v1/state", "", 401},
		{"state with a wrong token", "GET", "/api/v1/state", "wrong-token-0123456789", 401},
		{"state with the worker's token", "GET", "/api/v1/state", workerToken, 401},
		{"state with the token", "GET", "/api/v1/state", adminToken, 200},
		{"unknown API path without a token", "GET", "/api/v1/nope", "", 401},
		{"unknown API path with the token", "GET", "/api/v1/nope", adminToken, 404},
		{"drain without a token", "POST", "/api/v1/workers/w0/drain", "", 401},
		{"autoscaler without a token", "PUT", "/api/v1/autoscaler", "", 401},
		{"metrics without a token", "GET", "/metrics", "", 401},
		{"metrics with the token", "GET", "/metrics", adminToken, 200},
		{"health without a token", "GET", "/health", "", 200},
		{"index without a token", "GET", "/", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.method == "POST" {
				body = rayBody()
			}
			status, h, b := r.do(tc.method, tc.path, tc.token, body)
			if status != tc.status {
				t.Fatalf("status %d (%q), want %d", status, b, tc.status)
			}
			if status == 401 {
				if h.Get("WWW-Authenticate") == "" || !strings.Contains(b, "--admin-token") {
					t.Errorf("401 %q with WWW-Authenticate %q: want a challenge and the flag named", b, h.Get("WWW-Authenticate"))
				}
				if strings.Contains(b, "workers") || strings.Contains(b, "wrong-token") || strings.Contains(b, adminToken) {
					t.Errorf("401 body %q shows state or a token", b)
				}
			}
		})
	}
}

// TestCORSOnlyOnComputeEndpoints: the original's CORS headers and OPTIONS
// preflight on /raytracer, /blurimage and /enhanceimage, and nothing of
// CORS anywhere else.
func TestCORSOnlyOnComputeEndpoints(t *testing.T) {
	w0 := okWorker(t, "alpha", 1)
	r := newRig(t, testConfig(), nil, w0.URL)
	for _, tc := range []struct {
		method, path string
		cors         bool
		status       int
	}{
		{"OPTIONS", "/raytracer", true, 204},
		{"OPTIONS", "/blurimage", true, 204},
		{"OPTIONS", "/enhanceimage", true, 204},
		{"POST", rayPath, true, 200},
		{"GET", "/blurimage", true, 405},
		{"GET", "/api/v1/state", false, 200},
		{"OPTIONS", "/api/v1/state", false, 405},
		{"GET", "/metrics", false, 200},
		{"OPTIONS", "/metrics", false, 200},
		{"GET", "/health", false, 200},
		{"GET", "/", false, 200},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var body []byte
			if tc.method == "POST" {
				body = rayBody()
			}
			status, h, b := r.do(tc.method, tc.path, "", body)
			if status != tc.status {
				t.Fatalf("status %d (%q), want %d", status, b, tc.status)
			}
			var got []string
			for k := range h {
				if strings.HasPrefix(k, "Access-Control-") {
					got = append(got, k+": "+h.Get(k))
				}
			}
			if !tc.cors {
				if len(got) > 0 {
					t.Errorf("CORS headers %v", got)
				}
				return
			}
			if h.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
			}
			if tc.method == "OPTIONS" && (h.Get("Access-Control-Allow-Methods") != "GET, OPTIONS" ||
				h.Get("Access-Control-Allow-Headers") != "Content-Type,Authorization" || b != "") {
				t.Errorf("preflight: %v %q", got, b)
			}
		})
	}
}

// tokenWorker is a test worker that, like vfx worker --worker-token,
// answers 401 to anything but /health without the token. Its /status
// reports a limit of 3 requests in flight.
func tokenWorker(t *testing.T, token string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var refused atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			fmt.Fprintln(w, `{"status":"ready"}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			refused.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/status" {
			fmt.Fprintln(w, `{"max_in_flight": 3}`)
			return
		}
		w.Header().Set("X-Work-Units", "1")
		fmt.Fprint(w, "served")
	}))
	t.Cleanup(s.Close)
	return s, &refused
}

// TestWorkerTokenSentToWorkers: with a worker token the load balancer
// sends it with every forwarded request (in place of any Authorization
// the client sent) and with its reads of the workers' /status.
func TestWorkerTokenSentToWorkers(t *testing.T) {
	w0, refused := tokenWorker(t, workerToken)
	r := newRigWith(t, testConfig(), nil, func(o *Options) { o.WorkerToken = secret(t, workerToken) }, w0.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.srv.Start(ctx, nil)
	waitFor(t, 10*time.Second, "the pool to read the worker's /status", func() bool {
		w, ok := r.srv.worker("w0")
		return ok && w.MaxInFlight == 3
	})
	for _, client := range []string{"", "client-own-token-0123456789"} {
		status, _, b := r.do("POST", rayPath, client, rayBody())
		if status != 200 || b != "served" {
			t.Errorf("client token %q: %d %q", client, status, b)
		}
	}
	if n := refused.Load(); n != 0 {
		t.Errorf("the worker refused %d requests of the load balancer", n)
	}

	// The same worker behind a load balancer without the token refuses.
	r2 := newRig(t, testConfig(), nil, w0.URL)
	if status, _, _ := r2.do("POST", rayPath, "", rayBody()); status == 200 {
		t.Errorf("a load balancer without the token was served")
	}
	if refused.Load() == 0 {
		t.Error("the worker saw no request without the token")
	}
}

func TestDrainThroughTheAdminAPI(t *testing.T) {
	a, b := okWorker(t, "alpha", 1), okWorker(t, "beta", 1)
	r := newRig(t, testConfig(), nil, a.URL, b.URL)
	if err := r.pool.Add(instance("booting", refusedAddr(t))); err != nil {
		t.Fatal(err)
	}
	var w WorkerInfo
	status, _, body := r.do("POST", "/api/v1/workers/w0/drain", "", nil)
	if status != 202 || json.Unmarshal([]byte(body), &w) != nil || w.ID != "w0" || w.State != lifecycle.Draining {
		t.Fatalf("drain: %d %s", status, body)
	}
	if r.state("w0") != lifecycle.Draining {
		t.Fatalf("w0 is %s, want draining", r.state("w0"))
	}
	// The drained worker gets no new requests.
	for range 3 {
		resp := r.post()
		if got := readAll(t, resp); got != "served by beta" {
			t.Fatalf("request served as %q, want by beta", got)
		}
	}
	for _, tc := range []struct {
		name, method, path string
		status             int
		contains           string
	}{
		{"again", "POST", "/api/v1/workers/w0/drain", 200, `"state": "draining"`},
		{"unknown worker", "POST", "/api/v1/workers/nobody/drain", 404, `no worker "nobody"`},
		{"a booting worker", "POST", "/api/v1/workers/booting/drain", 202, `"state": "draining"`},
		{"GET", "GET", "/api/v1/workers/w1/drain", 405, "use POST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := r.do(tc.method, tc.path, "", nil)
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Fatalf("%d %q, want %d containing %q", status, body, tc.status, tc.contains)
			}
			if status == 405 && h.Get("Allow") != "POST" {
				t.Errorf("Allow %q", h.Get("Allow"))
			}
		})
	}
	if r.state("w1") != lifecycle.Ready {
		t.Errorf("w1 is %s, want ready", r.state("w1"))
	}
}

// fakeScaler stands for the autoscaler: its bounds and the calls.
type fakeScaler struct {
	mu       sync.Mutex
	min, max int
}

func (f *fakeScaler) status() any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return map[string]int{"min": f.min, "max": f.max}
}

func (f *fakeScaler) setBounds(lo, hi int) error {
	if hi < lo {
		return fmt.Errorf("max: must be ≥ min (%d), got %d", lo, hi)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.min, f.max = lo, hi
	return nil
}

func TestAutoscalerBoundsThroughTheAdminAPI(t *testing.T) {
	r := newRigWith(t, testConfig(), nil, func(o *Options) { o.AdminToken = secret(t, adminToken) }, okWorker(t, "alpha", 1).URL)
	if status, _, body := r.do("PUT", "/api/v1/autoscaler", adminToken, []byte(`{"min": 2, "max": 3}`)); status != 404 || !strings.Contains(body, "no autoscaler") {
		t.Fatalf("without an autoscaler: %d %q", status, body)
	}
	f := &fakeScaler{min: 1, max: 4}
	r.srv.SetAutoscaler(f.status)
	r.srv.SetScaleBounds(f.setBounds)
	for _, tc := range []struct {
		name, method, body string
		status             int
		contains           string
		min, max           int // the bounds afterwards
	}{
		{"read", "GET", "", 200, `"max": 4`, 1, 4},
		{"set", "PUT", `{"min": 2, "max": 8}`, 200, `"min": 2`, 2, 8},
		{"refused by the autoscaler", "PUT", `{"min": 5, "max": 3}`, 400, "max: must be ≥ min (5), got 3", 2, 8},
		{"missing max", "PUT", `{"min": 1}`, 400, "max: missing", 2, 8},
		{"unknown key", "PUT", `{"min": 1, "max": 2, "policy": "cpu"}`, 400, `unknown field "policy"`, 2, 8},
		{"not an integer", "PUT", `{"min": 1.5, "max": 2}`, 400, "min", 2, 8},
		{"two objects", "PUT", `{"min": 1, "max": 2}{}`, 400, "nothing after it", 2, 8},
		{"too large", "PUT", `{"min": 1, "max": 2}` + strings.Repeat(" ", maxAdminBody), 413, "at most", 2, 8},
		{"POST", "POST", `{"min": 1, "max": 2}`, 405, "use GET or HEAD or PUT", 2, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := r.do(tc.method, "/api/v1/autoscaler", adminToken, []byte(tc.body))
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Fatalf("%d %q, want %d containing %q", status, body, tc.status, tc.contains)
			}
			if status >= 400 && strings.Count(body, "\n") != 1 {
				t.Errorf("error %q: want one line", body)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.min != tc.min || f.max != tc.max {
				t.Errorf("bounds %d–%d, want %d–%d", f.min, f.max, tc.min, tc.max)
			}
		})
	}
}

func TestParseBounds(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Bounds
		err      string
	}{
		{"both", `{"min": 1, "max": 4}`, Bounds{1, 4}, ""},
		{"order and space", " {\"max\":8,\"min\":0}\n", Bounds{0, 8}, ""},
		{"negative kept for the autoscaler to refuse", `{"min": -1, "max": 4}`, Bounds{-1, 4}, ""},
		{"empty", ``, Bounds{}, "want a JSON object"},
		{"both missing", `{}`, Bounds{}, "min: missing"},
		{"null", `{"min": null, "max": 2}`, Bounds{}, "min: missing"},
		{"string", `{"min": "1", "max": 2}`, Bounds{}, "cannot unmarshal"},
		{"array", `[1, 2]`, Bounds{}, "cannot unmarshal"},
		{"overflow", `{"min": 1, "max": 99999999999999999999}`, Bounds{}, "cannot unmarshal"},
		{"trailing garbage", `{"min": 1, "max": 2} x`, Bounds{}, "nothing after it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBounds([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseBounds = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// FuzzParseBounds: ParseBounds never panics, and what it accepts is an
// object whose min and max it gives back.
func FuzzParseBounds(f *testing.F) {
	for _, s := range []string{`{"min": 1, "max": 4}`, `{}`, `{"min": 1}`, `{"min":1,"max":2}{}`, `null`, `{"min": 1e3, "max": 2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := ParseBounds(in)
		if err != nil {
			if b != (Bounds{}) {
				t.Fatalf("error %v with bounds %+v", err, b)
			}
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(in, &m); err != nil {
			t.Fatalf("accepted %q, which is not a JSON object: %v", in, err)
		}
		var lo, hi int
		if json.Unmarshal(m["min"], &lo) != nil || json.Unmarshal(m["max"], &hi) != nil || lo != b.Min || hi != b.Max {
			t.Fatalf("ParseBounds(%q) = %+v", in, b)
		}
	})
}
