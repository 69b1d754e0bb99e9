package proxy

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/worker"
)

// workerRecorder keeps a real worker's records.
type workerRecorder struct{ fakeRecorder }

func (*workerRecorder) WorkerSample(metrics.WorkerSample) {}

// TestRefusedRequestsRecordedAsTheWorkerRecordsThem: a request the load
// balancer refuses leaves the record a worker leaves for the same request:
// the same status and features (a 400×300 ray trace with a bad scene is
// recorded 400×300, not 0×0 with every parameter 0).
func TestRefusedRequestsRecordedAsTheWorkerRecordsThem(t *testing.T) {
	wrec := &workerRecorder{}
	wcfg := worker.DefaultConfig()
	wcfg.ID = "parity"
	ws, err := worker.New(wcfg, wrec, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewServer(ws)
	t.Cleanup(w.Close)
	lrec := &fakeRecorder{}
	r := newRigWith(t, testConfig(), nil, func(o *Options) { o.Recorder = lrec }, refusedAddr(t))
	scene := []byte("not a scene")
	bomb := testutil.BombPNG(200000, 100000)
	for _, tc := range []struct {
		name, path string
		body       []byte
		status     int
	}{
		{"bad scene", "/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false", wire.RaytraceBody(scene, nil), 400},
		{"window beyond the scene", "/raytracer?scols=400&srows=300&wcols=800&wrows=600&coff=3&roff=-2&aa=true", rayBody(), 400},
		{"missing parameter", "/raytracer?scols=400&srows=300", rayBody(), 400},
		{"bad base64", "/blurimage", []byte("data:image/png;base64,!!!"), 400},
		{"unsupported format", "/enhanceimage", []byte(dataurl.String("tiff", bomb)), 415},
		{"decompression bomb", "/enhanceimage", []byte(dataurl.String("png", bomb)), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "parity-" + strings.ReplaceAll(tc.name, " ", "-")
			for _, base := range []string{w.URL, r.lb.URL} {
				req, _ := http.NewRequest(http.MethodPost, base+tc.path, bytes.NewReader(tc.body))
				req.Header.Set(wire.HeaderRequestID, id)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				if body := readAll(t, resp); resp.StatusCode != tc.status {
					t.Fatalf("%s: status %d (%s), want %d", base, resp.StatusCode, body, tc.status)
				}
			}
			var fromWorker, fromLB metrics.RequestRecord
			waitFor(t, 5*time.Second, "both records of "+id, func() bool {
				var ok1, ok2 bool
				fromWorker, ok1 = wrec.byID(id)
				fromLB, ok2 = lrec.byID(id)
				return ok1 && ok2
			})
			if fromLB.Features != fromWorker.Features || fromLB.Status != fromWorker.Status || fromLB.Outcome != fromWorker.Outcome {
				t.Errorf("load balancer recorded %d %s %+v\n          the worker %d %s %+v",
					fromLB.Status, fromLB.Outcome, fromLB.Features, fromWorker.Status, fromWorker.Outcome, fromWorker.Features)
			}
		})
	}
}

// TestBlurCheckedPastItsHeaderByTheWorker: the load balancer decodes only
// a blur's image header, so a blur whose base64 is bad past the header
// reaches a worker, which refuses it with the status and message the load
// balancer would have given; and the load balancer records a blur without
// its input hash, which the worker records.
func TestBlurCheckedPastItsHeaderByTheWorker(t *testing.T) {
	wrec := &workerRecorder{}
	wcfg := worker.DefaultConfig()
	wcfg.ID = "blur-parity"
	ws, err := worker.New(wcfg, wrec, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewServer(ws)
	t.Cleanup(w.Close)
	lrec := &fakeRecorder{}
	r := newRigWith(t, testConfig(), nil, func(o *Options) { o.Recorder = lrec }, w.URL)
	img := testutil.SeedFile(t, "imageproc/inputs/airplane.jpg")
	good := []byte(dataurl.String("jpg", img))
	bad := append([]byte(nil), good...)
	bad[len(bad)-100] = '!'
	_, _, want := wire.DecodeHeader("blurimage", "", bad, wire.DefaultLimits())
	if want == nil {
		t.Fatal("the bad body decodes")
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
	}{{"bad base64 past the header", bad, 400}, {"good", good, 200}} {
		t.Run(tc.name, func(t *testing.T) {
			id := "blur-" + strings.ReplaceAll(tc.name, " ", "-")
			req, _ := http.NewRequest(http.MethodPost, r.lb.URL+"/blurimage", bytes.NewReader(tc.body))
			req.Header.Set(wire.HeaderRequestID, id)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.status)
			}
			if tc.status == 400 && !strings.Contains(body, want.Error()) {
				t.Errorf("answer %q, want the message %q", body, want.Error())
			}
			var fromWorker, fromLB metrics.RequestRecord
			waitFor(t, 5*time.Second, "both records of "+id, func() bool {
				var ok1, ok2 bool
				fromWorker, ok1 = wrec.byID(id)
				fromLB, ok2 = lrec.byID(id)
				return ok1 && ok2
			})
			if fromLB.Status != tc.status || fromWorker.Status != tc.status {
				t.Errorf("recorded status %d by the load balancer, %d by the worker; want %d", fromLB.Status, fromWorker.Status, tc.status)
			}
			if tc.status == 200 {
				f := fromWorker.Features
				if f.InputHash != wire.InputHash(img) {
					t.Errorf("the worker recorded the input hash %q, want the image's", f.InputHash)
				}
				f.InputHash = ""
				if fromLB.Features != f {
					t.Errorf("load balancer recorded %+v, want the worker's %+v but the hash", fromLB.Features, f)
				}
			}
		})
	}
}
