package worker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// decodeDataURL checks body is "data:image/<format>;base64,..." and decodes
// the image.
func decodeDataURL(tb testing.TB, body []byte, format string) (image.Image, []byte) {
	tb.Helper()
	prefix := "data:image/" + format + ";base64,"
	if !bytes.HasPrefix(body, []byte(prefix)) {
		tb.Fatalf("body starts %q, want %q", wire.Truncate(string(body), 60), prefix)
	}
	raw, err := base64.StdEncoding.DecodeString(string(body[len(prefix):]))
	if err != nil {
		tb.Fatalf("base64: %v", err)
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("decoding the %s image: %v", format, err)
	}
	return img, raw
}

// normalRequest sends a small, valid ray-trace and checks it succeeds: the
// worker is still up and serving.
func normalRequest(tb testing.TB, base string) {
	tb.Helper()
	body := sceneBody(tb, testutil.SeedFile(tb, "raytracer/scenes/test01.txt"), nil)
	resp, b := post(tb, context.Background(), base+"/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0", body, nil)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("normal request: %s: %s", resp.Status, b)
	}
	img, _ := decodeDataURL(tb, b, "bmp")
	if img.Bounds().Dx() != 8 || img.Bounds().Dy() != 6 {
		tb.Fatalf("normal request: image %v, want 8x6", img.Bounds())
	}
}

func init() { image.RegisterFormat("bmp", "BM", bmp.Decode, bmp.DecodeConfig) }

func TestRaytraceGoldenThroughHandler(t *testing.T) {
	_, ts, rec := newTestServer(t, nil)
	scene := testutil.SeedFile(t, "raytracer/scenes/test03.txt")
	resp, body := post(t, context.Background(), ts.URL+"/raytracer?scols=64&srows=48&wcols=64&wrows=48&coff=0&roff=0&aa=true",
		sceneBody(t, scene, nil), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s", resp.Status, body)
	}
	if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %q, want %d", cl, len(body))
	}
	img, _ := decodeDataURL(t, body, "bmp")
	assertSameImage(t, img, seedBMP(t, "raytracer/generated-goldens/test03_64x48_aa.bmp"))

	id := resp.Header.Get(HeaderRequestID)
	units, _ := strconv.ParseInt(resp.Header.Get(HeaderWorkUnits), 10, 64)
	cpu, _ := strconv.ParseFloat(resp.Header.Get(HeaderCPUMs), 64)
	wall, _ := strconv.ParseFloat(resp.Header.Get(HeaderWallMs), 64)
	if id == "" || resp.Header.Get(HeaderWorkerID) != "test-worker" || units <= 0 || cpu <= 0 || wall <= 0 {
		t.Errorf("cost headers: id %q worker %q units %d cpu %v wall %v; want all set and positive",
			id, resp.Header.Get(HeaderWorkerID), units, cpu, wall)
	}
	r := rec.byID(t, id)
	want := workload.Features{Kind: workload.Raytracer, SCols: 64, SRows: 48, WCols: 64, WRows: 48, AA: true,
		Shapes: 2, Lights: 4, SceneBytes: len(scene), InputBytes: len(scene), InputHash: wire.InputHash(scene)}
	if r.Features != want {
		t.Errorf("record features\n got %+v\nwant %+v", r.Features, want)
	}
	if r.Outcome != metrics.OutcomeOK || r.Status != 200 || r.Units != units || r.WorkerID != "test-worker" || r.CPU <= 0 || r.Wall <= 0 || r.Error != "" {
		t.Errorf("record %+v: want ok, 200, units %d, cpu and wall > 0", r, units)
	}
	if got := wire.FormatMs(r.CPU); got != resp.Header.Get(HeaderCPUMs) {
		t.Errorf("recorded cpu %s ms, header says %s", got, resp.Header.Get(HeaderCPUMs))
	}
}

func TestImageWorkloadsThroughHandler(t *testing.T) {
	_, ts, rec := newTestServer(t, nil)
	in := testPNG(t, 23, 17)
	for _, tc := range []struct {
		name string
		path string
		body string
		gray bool
	}{
		{"blur", "/blurimage", dataURL("png", in), false},
		{"blur wrapped base64", "/blurimage", wrapped76("png", in), false},
		{"enhance", "/enhanceimage", dataURL("png", in), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, context.Background(), ts.URL+tc.path, tc.body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s", resp.Status, body)
			}
			img, _ := decodeDataURL(t, body, "png")
			if img.Bounds().Dx() != 23 || img.Bounds().Dy() != 17 {
				t.Errorf("size %v, want 23x17", img.Bounds())
			}
			if _, isGray := img.(*image.Gray); isGray != tc.gray {
				t.Errorf("decoded as %T, want grey %v", img, tc.gray)
			}
			r := rec.byID(t, resp.Header.Get(HeaderRequestID))
			want := workload.Features{Kind: workload.Kind(tc.path[1:]), Width: 23, Height: 17, Format: "png", InputBytes: len(in), InputHash: wire.InputHash(in)}
			if r.Features != want || r.Outcome != metrics.OutcomeOK || r.Units <= 0 {
				t.Errorf("record %+v\nwant features %+v, ok, units > 0", r, want)
			}
		})
	}
}

func TestRawOutput(t *testing.T) {
	_, ts, _ := newTestServer(t, nil)
	scene := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	q := "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0"
	for _, tc := range []struct {
		name   string
		query  string
		accept string
		ctype  string // "" = data URL
	}{
		{"curl default", "", "*/*", ""},
		{"no accept", "", "", ""},
		{"image/*", "", "image/*", "image/bmp"},
		{"browser accept", "", "image/avif,image/webp,image/*,*/*;q=0.8", "image/bmp"},
		{"output=raw", "&output=raw", "", "image/bmp"},
		{"png asked", "", "image/png", "image/png"},
		{"unsupported image type", "", "image/webp", ""},
		{"refused with q=0", "", "image/*;q=0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.accept != "" {
				hdr["Accept"] = tc.accept
			}
			resp, body := post(t, context.Background(), ts.URL+q+tc.query, scene, hdr)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s", resp.Status, body)
			}
			if tc.ctype == "" {
				decodeDataURL(t, body, "bmp")
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tc.ctype {
				t.Fatalf("Content-Type %q, want %q", got, tc.ctype)
			}
			img, _, err := image.Decode(bytes.NewReader(body))
			if err != nil || img.Bounds().Dx() != 8 {
				t.Fatalf("raw body does not decode to an 8x6 image: %v", err)
			}
		})
	}
}

// TestRequestIdentity: an attempt the load balancer sends is recorded
// under the load balancer's request id and attempt number; a request sent
// directly gets a request id of its own (never the client's); the client's
// valid X-Request-Id is kept for correlation and sent back.
func TestRequestIdentity(t *testing.T) {
	_, ts, rec := newTestServer(t, nil)
	scene := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)
	q := "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0"
	const generated = "(generated)"
	keys := map[string]bool{}
	for _, tc := range []struct {
		name              string
		hdr               map[string]string
		role              metrics.Role
		requestID, client string // want; generated = a new id
		attempt, attempts int
		wantPred          float64
	}{
		{"attempt from the load balancer",
			map[string]string{HeaderServerRequestID: "lb-42", HeaderAttempt: "2", HeaderRequestID: "client-7", HeaderPredictedUnits: "12345.5"},
			metrics.RoleAttempt, "lb-42", "client-7", 2, 0, 12345.5},
		{"attempt without a client id",
			map[string]string{HeaderServerRequestID: "lb-43", HeaderAttempt: "1"},
			metrics.RoleAttempt, "lb-43", "", 1, 0, 0},
		{"direct", nil, metrics.RoleDirect, generated, "", 1, 1, 0},
		{"direct with the client's id", map[string]string{HeaderRequestID: "mine"}, metrics.RoleDirect, generated, "mine", 1, 1, 0},
		{"unusable client id", map[string]string{HeaderRequestID: "has space", HeaderPredictedUnits: "-3"}, metrics.RoleDirect, generated, "", 1, 1, 0},
		{"attempt number without a request id", map[string]string{HeaderAttempt: "3"}, metrics.RoleDirect, generated, "", 1, 1, 0},
		{"request id without an attempt number", map[string]string{HeaderServerRequestID: "lb-44"}, metrics.RoleDirect, generated, "", 1, 1, 0},
		{"attempt 0", map[string]string{HeaderServerRequestID: "lb-45", HeaderAttempt: "0"}, metrics.RoleDirect, generated, "", 1, 1, 0},
		{"bad prediction ignored",
			map[string]string{HeaderServerRequestID: "lb-46", HeaderAttempt: "1", HeaderPredictedUnits: "NaN"},
			metrics.RoleAttempt, "lb-46", "", 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, context.Background(), ts.URL+q, scene, tc.hdr)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s", resp.Status, body)
			}
			echo, server := resp.Header.Get(HeaderRequestID), resp.Header.Get(HeaderServerRequestID)
			if tc.requestID == generated {
				if len(server) != 32 || server == tc.hdr[HeaderServerRequestID] {
					t.Errorf("request id %q, want a new one", server)
				}
			} else if server != tc.requestID {
				t.Errorf("request id %q, want %q", server, tc.requestID)
			}
			if want := wire.EchoRequestID(tc.client, server); echo != want {
				t.Errorf("%s %q, want %q", HeaderRequestID, echo, want)
			}
			r := rec.byID(t, echo)
			if len(r.Key) != 32 || r.Key == r.RequestID || keys[r.Key] {
				t.Errorf("record key %q: want a new key of the worker's own", r.Key)
			}
			keys[r.Key] = true
			if r.Role != tc.role || r.RequestID != server || r.ClientRequestID != tc.client ||
				r.Attempt != tc.attempt || r.Attempts != tc.attempts || r.PredictedUnits != tc.wantPred {
				t.Errorf("recorded %s %q client %q attempt %d of %d, predicted %v; want %s %q client %q attempt %d of %d, predicted %v",
					r.Role, r.RequestID, r.ClientRequestID, r.Attempt, r.Attempts, r.PredictedUnits,
					tc.role, server, tc.client, tc.attempt, tc.attempts, tc.wantPred)
			}
		})
	}
}

// badCase is a bad request and the answer it must get.
type badCase struct {
	name    string
	method  string
	target  string
	body    string
	chunked bool
	status  int
	want    string // in the message
	allow   string // the Allow header of a 405
}

// badRequests are the bad requests every live worker is sent; the worker
// must run with a body limit of 1 MiB.
func badRequests(t *testing.T) []badCase {
	scene01 := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	texScene := testutil.SeedFile(t, "raytracer/scenes/test-texmap.txt")
	good := sceneBody(t, scene01, nil)
	big := dataURL("png", bytes.Repeat([]byte{'A'}, 2<<20))
	return []badCase{
		{"missing parameter", "POST", "/raytracer?scols=400&srows=300", good, false, 400, `"wcols"`, ""},
		{"non-integer parameter", "POST", "/raytracer?scols=4x&srows=3&wcols=4&wrows=3&coff=0&roff=0", good, false, 400, `scols="4x"`, ""},
		{"no query at all", "POST", "/raytracer", good, false, 400, `"scols"`, ""},
		{"unknown path", "POST", "/raytracerz", good, false, 404, "no such path", ""},
		{"unknown sub-path", "GET", "/blurimage/x", "", false, 404, "no such path", ""},
		{"GET on a compute path", "GET", "/raytracer", "", false, 405, "want POST", "POST, OPTIONS"},
		{"PUT on a compute path", "PUT", "/blurimage", "x", false, 405, "want POST", "POST, OPTIONS"},
		{"POST on /health", "POST", "/health", "", false, 405, "want GET", "GET, HEAD"},
		{"malformed JSON", "POST", "/raytracer?" + query400, `{"scene": `, false, 400, "malformed JSON", ""},
		{"missing scene", "POST", "/raytracer?" + query400, `{"texmap": []}`, false, 400, `missing "scene"`, ""},
		{"scene error", "POST", "/raytracer?" + query400, sceneBody(t, []byte(strings.Replace(string(scene01), "sphere", "sphre", 1)), nil), false, 400, `"sphre"`, ""},
		{"texmap scene without texmap", "POST", "/raytracer?" + query400, sceneBody(t, texScene, nil), false, 400, "texmap", ""},
		{"bad base64", "POST", "/blurimage", "data:image/jpg;base64,!!!not base64!!!", false, 400, "", ""},
		{"unsupported format", "POST", "/enhanceimage", dataURL("tiff", testPNG(t, 4, 4)), false, 415, "tiff", ""},
		{"not an image", "POST", "/blurimage", dataURL("jpg", []byte("just some text, not a JPEG")), false, 400, "", ""},
		{"decompression bomb", "POST", "/blurimage", dataURL("png", bombPNG(200000, 200000)), false, 413, "", ""},
		{"body over the limit", "POST", "/blurimage", big, false, 413, "--max-body", ""},
		{"chunked body over the limit", "POST", "/blurimage", big, true, 413, "--max-body", ""},
	}
}

// sendBad sends tc to the worker at base, checks the answer and returns
// the request id (for a compute path) and the message.
func sendBad(t *testing.T, base string, tc badCase) (id, msg string) {
	t.Helper()
	var body io.Reader = strings.NewReader(tc.body)
	if tc.chunked {
		body = io.MultiReader(body) // hides the length: chunked encoding
	}
	req, err := http.NewRequest(tc.method, base+tc.target, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != tc.status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	msg = strings.TrimSuffix(string(b), "\n")
	if msg == "" || strings.ContainsAny(msg, "\r\n") {
		t.Errorf("message %q: want one non-empty line", b)
	}
	if !strings.Contains(msg, tc.want) {
		t.Errorf("message %q does not contain %q", msg, tc.want)
	}
	if tc.allow != "" && resp.Header.Get("Allow") != tc.allow {
		t.Errorf("Allow %q, want %q", resp.Header.Get("Allow"), tc.allow)
	}
	if resp.Header.Get(HeaderWorkerID) == "" {
		t.Errorf("no %s: %v", HeaderWorkerID, resp.Header)
	}
	// The original's CORS header, on the compute paths only.
	if cors := resp.Header.Get("Access-Control-Allow-Origin"); (cors == "*") != tc.isCompute() {
		t.Errorf("Access-Control-Allow-Origin %q on %s %s", cors, tc.method, tc.target)
	}
	if tc.isCompute() {
		if id = resp.Header.Get(HeaderRequestID); id == "" {
			t.Fatalf("no %s on a compute path's answer", HeaderRequestID)
		}
	}
	return id, msg
}

// isCompute tells whether the request went to a compute path (and is
// recorded).
func (tc badCase) isCompute() bool {
	path, _, _ := strings.Cut(tc.target, "?")
	return path == "/raytracer" || path == "/blurimage" || path == "/enhanceimage"
}

func TestBadRequestsLive(t *testing.T) {
	_, ts, rec := newTestServer(t, func(c *Config) { c.MaxBodyBytes = 1 << 20 })
	for _, tc := range badRequests(t) {
		t.Run(tc.name, func(t *testing.T) {
			id, msg := sendBad(t, ts.URL, tc)
			if id != "" {
				r := rec.byID(t, id)
				if r.Status != tc.status || r.Outcome != metrics.OutcomeClientError || r.Error != msg {
					t.Errorf("record status %d outcome %s error %q; want %d, client_error, %q", r.Status, r.Outcome, r.Error, tc.status, msg)
				}
			}
			normalRequest(t, ts.URL)
		})
	}
}

func TestCORSAndInfoEndpoints(t *testing.T) {
	_, ts, rec := newTestServer(t, func(c *Config) { c.MaxInflight = 7 })
	get := func(method, path string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	t.Run("OPTIONS", func(t *testing.T) {
		for _, p := range []string{"/raytracer", "/blurimage", "/enhanceimage"} {
			resp, b := get("OPTIONS", p)
			h := resp.Header
			if resp.StatusCode != 204 || len(b) != 0 || h.Get("Access-Control-Allow-Origin") != "*" ||
				h.Get("Access-Control-Allow-Methods") != "GET, OPTIONS" || h.Get("Access-Control-Allow-Headers") != "Content-Type,Authorization" {
				t.Errorf("OPTIONS %s: %d %v %q", p, resp.StatusCode, h, b)
			}
		}
	})
	t.Run("root", func(t *testing.T) {
		for _, m := range []string{"GET", "POST", "HEAD", "OPTIONS"} {
			resp, b := get(m, "/")
			if resp.StatusCode != 200 || len(b) != 0 {
				t.Errorf("%s /: %d %q", m, resp.StatusCode, b)
			}
		}
	})
	t.Run("health", func(t *testing.T) {
		resp, b := get("GET", "/health")
		if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"status":"ready"}` {
			t.Errorf("health: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("status", func(t *testing.T) {
		normalRequest(t, ts.URL)
		resp, b := get("GET", "/status")
		var st StatusReport
		if err := json.Unmarshal(b, &st); err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d %s: %v", resp.StatusCode, b, err)
		}
		if st.WorkerID != "test-worker" || st.MaxInFlight != 7 || st.Health != lifecycle.Ready || st.UptimeSeconds <= 0 ||
			st.InFlight == nil || len(st.InFlight) != 0 || st.Totals["raytracer"]["ok"] < 1 {
			t.Errorf("status %+v", st)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		normalRequest(t, ts.URL)
		rec.mu.Lock()
		rec.dropped = 3
		rec.mu.Unlock()
		resp, b := get("GET", "/metrics")
		text := string(b)
		for _, want := range []string{
			`vfx_worker_requests_total{outcome="ok",worker="test-worker",workload="raytracer"}`,
			`vfx_worker_request_duration_seconds_bucket{outcome="ok",worker="test-worker",workload="raytracer"`,
			`vfx_worker_work_units_total{worker="test-worker",workload="raytracer"}`,
			`vfx_worker_in_flight{worker="test-worker"} 0`,
			`vfx_worker_max_in_flight{worker="test-worker"} 7`,
			`vfx_records_dropped_total{kind="request",reason="queue_full",worker="test-worker"} 3`,
			`vfx_records_dropped_total{kind="worker_sample",reason="unwritten",worker="test-worker"} 0`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if resp.StatusCode != 200 {
			t.Errorf("metrics: %d", resp.StatusCode)
		}
	})
}

func TestImageOutputFormats(t *testing.T) {
	_, ts, _ := newTestServer(t, nil)
	in := testPNG(t, 9, 7)
	resp, body := post(t, context.Background(), ts.URL+"/enhanceimage?output=raw", dataURL("png", in), nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("%s %q: %.80s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.Gray); !ok {
		t.Errorf("enhanced PNG decodes as %T, want *image.Gray", img)
	}
}

// waitFor polls cond every 5 ms until it holds or d passes.
func waitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	testutil.WaitFor(tb, d, 5*time.Millisecond, what, cond)
}
