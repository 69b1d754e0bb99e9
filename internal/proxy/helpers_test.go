package proxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// firstReady is a test policy: the first eligible worker, so tests know
// where a request goes.
type firstReady struct{}

func (firstReady) Pick(_ balancer.Request, ws []balancer.WorkerState, _ *rand.Rand) (int, error) {
	for i, w := range ws {
		if balancer.Eligible(w) {
			return i, nil
		}
	}
	return -1, balancer.ErrNoWorker
}

// fakeEst predicts a fixed number of units and records what it learns.
type fakeEst struct {
	mu       sync.Mutex
	units    float64
	observed []float64
	trained  []estimator.Sample
}

func (f *fakeEst) Estimate(workload.Features) estimator.Cost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return estimator.Cost{Units: f.units, Low: f.units, High: f.units, Source: estimator.SourcePrior}
}

func (f *fakeEst) Observe(_ time.Time, _ workload.Features, u float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.observed = append(f.observed, u)
}

func (f *fakeEst) Train(s []estimator.Sample) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trained = append(f.trained, s...)
	return len(s)
}

func (f *fakeEst) Observed() []float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]float64(nil), f.observed...)
}

// fakeSpeeds records speed observations.
type fakeSpeeds struct {
	mu  sync.Mutex
	obs map[string][]float64
}

func (f *fakeSpeeds) Observe(id string, units float64, wall time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.obs == nil {
		f.obs = map[string][]float64{}
	}
	f.obs[id] = append(f.obs[id], units/wall.Seconds())
}

func (f *fakeSpeeds) Speed(id string) float64 { return 0 }

// testConfig is Default with short retry backoffs.
func testConfig() Config {
	c := Default()
	c.RetryBackoff = time.Millisecond
	c.MaxRetryBackoff = 5 * time.Millisecond
	c.HealthInterval = 20 * time.Millisecond
	c.HealthTimeout = 500 * time.Millisecond
	return c
}

// rig is a load balancer in front of test workers.
type rig struct {
	t    *testing.T
	pool *Pool
	srv  *Server
	est  *fakeEst
	lb   *httptest.Server
}

// newRig builds a load balancer over the given worker addresses (IDs w0,
// w1, ...), all made ready, with policy pol (nil: firstReady).
func newRig(t *testing.T, cfg Config, pol balancer.Policy, addrs ...string) *rig {
	t.Helper()
	return newRigWith(t, cfg, pol, nil, addrs...)
}

// newRigWith is newRig with opts, if not nil, changing the server's
// options before it is built.
func newRigWith(t *testing.T, cfg Config, pol balancer.Policy, opts func(*Options), addrs ...string) *rig {
	t.Helper()
	if pol == nil {
		pol = firstReady{}
	}
	pool := NewPool(PoolOptions{Config: cfg, Policy: pol, Rand: rand.New(rand.NewPCG(1, 2))})
	for i, a := range addrs {
		id := fmt.Sprintf("w%d", i)
		if err := pool.Add(provider.Instance{ID: id, Address: a}); err != nil {
			t.Fatal(err)
		}
		for range cfg.HealthyThreshold {
			pool.healthResult(id, nil, nil)
		}
	}
	est := &fakeEst{units: 1000}
	o := Options{Config: cfg, Pool: pool, Estimator: est}
	if opts != nil {
		opts(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	lb := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		// Cut the clients off first, so that requests still held by a test
		// worker end (their contexts are cancelled) instead of blocking Close;
		// then shut the load balancer down as vfx lb does.
		lb.CloseClientConnections()
		lb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("load balancer shutdown: %v", err)
		}
	})
	return &rig{t: t, pool: pool, srv: srv, est: est, lb: lb}
}

func (r *rig) state(id string) lifecycle.State {
	r.t.Helper()
	for _, w := range r.pool.Snapshot().Workers {
		if w.ID == id {
			return w.State
		}
	}
	r.t.Fatalf("no worker %s", id)
	return 0
}

// okWorker is a test worker that answers every compute request with 200,
// its name as body and the cost headers.
func okWorker(t testing.TB, name string, units int64) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			fmt.Fprintln(w, `{"status":"ready"}`)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Worker-Id", name)
		w.Header().Set("X-Work-Units", strconv.FormatInt(units, 10))
		w.Header().Set("X-Wall-Ms", "10")
		w.Header().Set("X-Seen-Predicted", r.Header.Get("X-Predicted-Units"))
		w.Header().Set("X-Seen-Request-Id", r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Seen-Server-Request-Id", r.Header.Get(wire.HeaderServerRequestID))
		w.Header().Set("X-Seen-Attempt", r.Header.Get(wire.HeaderAttempt))
		fmt.Fprint(w, "served by "+name)
	}))
	t.Cleanup(s.Close)
	return s
}

// refusedAddr is an address nothing listens on.
func refusedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close()
	return addr
}

var scene01 = func() string {
	b, err := os.ReadFile("testdata/test01.txt")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// rayBody is the original's JSON body for test01.
func rayBody() []byte {
	b, _ := json.Marshal(map[string]string{"scene": scene01})
	return b
}

const rayPath = "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0&aa=false"

// post sends a ray-tracer request to the load balancer.
func (r *rig) post() *http.Response {
	r.t.Helper()
	resp, err := http.Post(r.lb.URL+rayPath, "application/json", bytes.NewReader(rayBody()))
	if err != nil {
		r.t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pngDataURL is a data URL of a w×h PNG.
func pngDataURL(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return fmt.Appendf(nil, "data:image/png;base64,%s", base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// waitFor polls cond every 2 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, d, 2*time.Millisecond, what, cond)
}

func instance(id, addr string) provider.Instance { return provider.Instance{ID: id, Address: addr} }

// fakeRecorder keeps the load balancer's records.
type fakeRecorder struct {
	mu   sync.Mutex
	recs []metrics.RequestRecord
}

func (f *fakeRecorder) Request(r metrics.RequestRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs = append(f.recs, r)
}

// byID returns the record of the request with client request id id.
func (f *fakeRecorder) byID(id string) (metrics.RequestRecord, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.recs {
		if r.ClientRequestID == id {
			return r, true
		}
	}
	return metrics.RequestRecord{}, false
}

// all returns every record so far.
func (f *fakeRecorder) all() []metrics.RequestRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.recs)
}
