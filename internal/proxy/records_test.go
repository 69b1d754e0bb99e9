package proxy

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/wire"
)

// TestFinalRecordOfEveryRequest: whatever happens to a request, the load
// balancer leaves exactly one final record of it, under its own request
// id, saying what the client got; the client's X-Request-Id is kept beside
// it and sent back.
func TestFinalRecordOfEveryRequest(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRetries = 1
	for _, tc := range []struct {
		name     string
		workers  func(t *testing.T) []string
		path     string
		body     []byte
		status   int
		outcome  metrics.Outcome
		attempts int
		units    int64
	}{
		{"served", func(t *testing.T) []string { return []string{okWorker(t, "alpha", 4242).URL} },
			rayPath, rayBody(), 200, metrics.OutcomeOK, 1, 4242},
		{"refused by the load balancer", func(t *testing.T) []string { return []string{okWorker(t, "alpha", 1).URL} },
			"/raytracer?scols=8", []byte(`{}`), 400, metrics.OutcomeClientError, 0, 0},
		{"no worker could serve it", func(t *testing.T) []string { return []string{refusedAddr(t), refusedAddr(t)} },
			rayPath, rayBody(), 502, metrics.OutcomeServerError, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, cfg, nil, tc.workers(t)...)
			rec := &fakeRecorder{}
			r.srv.recorder = rec
			req, _ := http.NewRequest(http.MethodPost, r.lb.URL+tc.path, bytes.NewReader(tc.body))
			req.Header.Set(wire.HeaderRequestID, "client-1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			if resp.StatusCode != tc.status || resp.Header.Get(wire.HeaderRequestID) != "client-1" {
				t.Fatalf("status %d, %s %q; want %d and the client's id", resp.StatusCode, wire.HeaderRequestID, resp.Header.Get(wire.HeaderRequestID), tc.status)
			}
			recs := rec.all()
			if len(recs) != 1 {
				t.Fatalf("%d records, want one final record: %+v", len(recs), recs)
			}
			f := recs[0]
			if f.Role != metrics.RoleFinal || f.RequestID != resp.Header.Get(wire.HeaderServerRequestID) || f.RequestID == "client-1" ||
				f.ClientRequestID != "client-1" || f.Status != tc.status || f.Outcome != tc.outcome ||
				f.Attempts != tc.attempts || f.Units != tc.units || f.Validate() != nil {
				t.Errorf("final record %+v (valid: %v), want %s %d after %d attempts, %d units, under the load balancer's request id",
					f, f.Validate(), tc.outcome, tc.status, tc.attempts, tc.units)
			}
		})
	}
}

// dropsRecorder is a Recorder that reports dropped records, as
// metrics.Recorder does.
type dropsRecorder struct{ fakeRecorder }

func (*dropsRecorder) Drops() []metrics.Drop {
	return []metrics.Drop{{Kind: metrics.KindRequest, Reason: metrics.DropQueueFull, Count: 7}}
}

func TestDroppedRecordsOnMetrics(t *testing.T) {
	srv, err := New(Options{Config: testConfig(), Pool: NewPool(PoolOptions{Config: testConfig(), Policy: firstReady{}}),
		Estimator: &fakeEst{units: 1}, Recorder: &dropsRecorder{}})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if want := `vfx_records_dropped_total{kind="request",reason="queue_full"} 7`; !strings.Contains(w.Body.String(), want) {
		t.Errorf("/metrics lacks %s:\n%s", want, w.Body.String())
	}
}
