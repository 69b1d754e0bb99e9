package e2etest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// TestUpServesTheOriginalScripts starts `vfx up` as a user would, sends
// the original client scripts through the load balancer with real curl,
// checks their outputs, the load balancer's state API and metrics, stops
// it with SIGTERM and checks that no worker is left and that the workers
// recorded every request with the load balancer's prediction.
func TestUpServesTheOriginalScripts(t *testing.T) {
	testutil.NeedTools(t, "bash", "curl", "jq", "hexdump", "base64", "sed")
	u := startUp(t, 2)
	pids := workerPIDs(t, u.stateDir)
	if len(pids) != 2 {
		t.Fatalf("state directory lists %d workers, want 2: %v", len(pids), pids)
	}
	dir := t.TempDir()
	testutil.CopyScriptInputs(t, dir)
	env := []string{"ADDR=" + strings.TrimPrefix(u.base, "http://")}
	// sendBlurImageRequest.sh and sendEnhanceImageRequest.sh.
	for _, path := range []string{"blurimage", "enhanceimage"} {
		testutil.RunScript(t, dir, testutil.ImageScript(path), env...)
	}
	// sendRayTracerRequest.sh, and its texmap variant with the course's
	// complex request.
	testutil.RunScript(t, dir, testutil.RaytracerScript+testutil.TexmapScript, env...)

	assertSameImage(t, "test01", decodeFile(t, filepath.Join(dir, "result.bmp")), decodeFile(t, testutil.SeedPath(t, "raytracer/reference-renders/result.bmp")))
	assertSameImage(t, "test-texmap", decodeFile(t, filepath.Join(dir, "texmap.bmp")),
		decodeFile(t, testutil.SeedPath(t, "raytracer/generated-goldens/test-texmap_400x300_tm-test-texmap.bmp")))
	blur := decodeFile(t, filepath.Join(dir, "blurimage.jpg"))
	enh := decodeFile(t, filepath.Join(dir, "enhanceimage.jpg"))
	for name, img := range map[string]image.Image{"blur": blur, "enhance": enh} {
		if img.Bounds().Dx() != 960 || img.Bounds().Dy() != 686 {
			t.Errorf("%s result is %v, want 960x686", name, img.Bounds())
		}
	}
	if _, ok := enh.(*image.Gray); !ok {
		t.Errorf("enhance result decodes as %T, want grey", enh)
	}

	st := state(t, u.base)
	if st.Policy != "cost" || len(st.Workers) != 2 {
		t.Errorf("state: policy %q with %d workers, want cost with 2", st.Policy, len(st.Workers))
	}
	if len(st.Decisions) != 4 {
		t.Fatalf("state shows %d decisions, want 4", len(st.Decisions))
	}
	for _, d := range st.Decisions {
		if d.Outcome != "ok" || d.Status != 200 || d.Worker == "" || d.PredictedUnits <= 0 || d.ActualUnits <= 0 || d.Reason == "" {
			t.Errorf("decision %+v", d)
		}
	}
	if acc := st.Estimator.Accuracy[workload.Raytracer]; acc.Samples != 2 {
		t.Errorf("estimator accuracy over %d ray-tracer samples, want 2", acc.Samples)
	}
	m := get(t, u.base+"/metrics")
	for _, want := range []string{
		`vfx_lb_requests_total{outcome="ok",workload="raytracer"} 2`,
		`vfx_lb_requests_total{outcome="ok",workload="blurimage"} 1`,
		`vfx_lb_workers{state="ready"} 2`,
		`vfx_lb_estimator_mape{workload="raytracer"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// A bad request is answered by the load balancer itself.
	resp, err := http.Post(u.base+"/raytracer?scols=8", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), `missing query parameter "srows"`) {
		t.Errorf("bad request: %d %q", resp.StatusCode, body)
	}

	u.stop(t, syscall.SIGTERM, 60*time.Second)
	waitGone(t, pids, 5*time.Second)
	if !strings.Contains(u.Output(), "workers stopped") {
		t.Errorf("vfx up did not report stopping its workers:\n%s", u.Output())
	}

	store, err := sqlite.Open(context.Background(), filepath.Join(u.stateDir, "metrics.db"), sqlite.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	recs, err := store.Requests(context.Background(), metrics.RequestQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Each served request: a final record from the load balancer (what the
	// client got) and the attempt that served it, from the worker; the bad
	// request: a final record only, with no attempt.
	finals, attempts := map[string]metrics.RequestRecord{}, map[string]metrics.RequestRecord{}
	for _, r := range recs {
		switch {
		case r.Role == metrics.RoleFinal && r.Outcome == metrics.OutcomeOK:
			finals[r.RequestID] = r
		case r.Role == metrics.RoleAttempt && r.Outcome == metrics.OutcomeOK:
			attempts[r.RequestID] = r
		case r.Role == metrics.RoleFinal && r.Status == 400 && r.Attempts == 0:
		default:
			t.Errorf("unexpected record %+v", r)
		}
	}
	if len(finals) != 4 || len(attempts) != 4 {
		t.Errorf("%d ok final records and %d ok attempt records in the store, want 4 of each: %+v", len(finals), len(attempts), recs)
	}
	for id, f := range finals {
		a := attempts[id]
		// The worker gets the prediction as a whole number (X-Predicted-Units).
		if f.PredictedUnits <= 0 || a.PredictedUnits != math.Round(f.PredictedUnits) || !strings.HasPrefix(f.WorkerID, "local-") ||
			a.WorkerID != f.WorkerID || f.Status != 200 || f.Units != a.Units || a.Attempt != f.Attempts {
			t.Errorf("request %s: final %+v and attempt %+v do not agree: want the load balancer's prediction, "+
				"a local worker and the attempt's units in both", id, f, a)
		}
	}
}

// mixedRequest is one request of the mixed load.
type mixedRequest struct {
	path string
	body []byte
	w, h int // output size
}

// mixedLoad is n small requests of every workload, in a fixed order.
func mixedLoad(t *testing.T, n int) []mixedRequest {
	scene := func(rel string) []byte {
		b, _ := json.Marshal(map[string]string{"scene": string(testutil.SeedFile(t, rel))})
		return b
	}
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := range 64 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 3), uint8(x + y), 255})
		}
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, nil); err != nil {
		t.Fatal(err)
	}
	dataURL := []byte(dataurl.String("jpg", jb.Bytes()))
	kinds := []mixedRequest{
		{"/raytracer?scols=120&srows=90&wcols=120&wrows=90&coff=0&roff=0", scene("raytracer/scenes/test01.txt"), 120, 90},
		{"/blurimage", dataURL, 96, 64},
		{"/raytracer?scols=80&srows=60&wcols=80&wrows=60&coff=0&roff=0&aa=true", scene("raytracer/scenes/test04.txt"), 80, 60},
		{"/enhanceimage", dataURL, 96, 64},
	}
	out := make([]mixedRequest, n)
	for i := range out {
		out[i] = kinds[i%len(kinds)]
	}
	return out
}

// send posts one request and checks the response is a data URL of an image
// of the right size.
func (m mixedRequest) send(client *http.Client, base string) error {
	resp, err := client.Post(base+m.path, "application/octet-stream", bytes.NewReader(m.body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %s %s", m.path, resp.Status, body)
	}
	_, data, err := dataurl.Parse(body)
	if err != nil {
		return fmt.Errorf("%s: %v", m.path, err)
	}
	cfg, _, err := codec.DecodeConfig(data, codec.DefaultLimits())
	if err != nil {
		return fmt.Errorf("%s: %v", m.path, err)
	}
	if cfg.Width != m.w || cfg.Height != m.h {
		return fmt.Errorf("%s: %dx%d image, want %dx%d", m.path, cfg.Width, cfg.Height, m.w, m.h)
	}
	return nil
}

// TestUpSurvivesAWorkerKilled sends a bounded mixed load (40 requests,
// concurrency 8) through `vfx up` with 3 workers and SIGKILLs one of them
// a quarter of the way through: every request must still succeed.
func TestUpSurvivesAWorkerKilled(t *testing.T) {
	u := startUp(t, 3)
	pids := workerPIDs(t, u.stateDir)
	reqs := mixedLoad(t, 40)
	client := &http.Client{Timeout: 60 * time.Second}
	var (
		next, done atomic.Int32
		wg         sync.WaitGroup
		mu         sync.Mutex
		errs       []error
		killOnce   sync.Once
		victim     = "local-2"
	)
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					return
				}
				if err := reqs[i].send(client, u.base); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("request %d: %w", i, err))
					mu.Unlock()
				}
				if done.Add(1) == 10 {
					killOnce.Do(func() {
						if err := syscall.Kill(pids[victim], syscall.SIGKILL); err != nil {
							t.Errorf("kill %s: %v", victim, err)
						}
					})
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if alive(pids[victim]) {
		t.Fatalf("%s (pid %d) was not killed", victim, pids[victim])
	}
	// The dead worker leaves the pool: the provider reports it gone, or
	// its health checks eject it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := state(t, u.base)
		gone := true
		for _, w := range st.Workers {
			if w.ID == victim && w.State == lifecycle.Ready {
				gone = false
			}
		}
		if gone {
			retried := 0
			for _, d := range st.Decisions {
				if d.Attempts > 1 {
					retried++
				}
			}
			t.Logf("%d of the last %d requests were retried on another worker", retried, len(st.Decisions))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the killed worker is still ready in the state: %+v", st.Workers)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// And the service still serves.
	if err := reqs[0].send(client, u.base); err != nil {
		t.Fatal(err)
	}
	u.stop(t, syscall.SIGTERM, 60*time.Second)
	waitGone(t, pids, 5*time.Second)
}

// TestUpKilledLeavesNoWorkers SIGKILLs `vfx up`: its workers, started
// with --exit-with-parent, must exit on their own within a few seconds.
func TestUpKilledLeavesNoWorkers(t *testing.T) {
	u := startUp(t, 2)
	pids := workerPIDs(t, u.stateDir)
	if len(pids) != 2 {
		t.Fatalf("state directory lists %d workers, want 2", len(pids))
	}
	if err := u.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-u.Exited()
	waitGone(t, pids, 5*time.Second)
}

var lbRE = regexp.MustCompile(`load balancer on (http://\S+) \(policy round-robin, provider static, (\d+) workers\)`)

// TestLBStaticInFrontOfTwoWorkers runs `vfx lb --provider static` in
// front of two workers started separately: it spreads requests over both,
// and on SIGTERM exits without touching them.
func TestLBStaticInFrontOfTwoWorkers(t *testing.T) {
	addrs := []string{testutil.NeedFreeAddr(t), testutil.NeedFreeAddr(t)}
	var workers []*proc
	for i, a := range addrs {
		w := start(t, "worker", "--listen", a, "--store", "none", "--id", fmt.Sprintf("static-%d", i))
		w.WaitOutput(t, regexp.MustCompile(`worker listening`), 30*time.Second)
		workers = append(workers, w)
	}
	lb := start(t, "lb", "--provider", "static", "--workers", "http://"+addrs[0]+","+addrs[1],
		"--listen", testutil.NeedFreeAddr(t), "--store", "none", "--policy", "round-robin")
	m := lb.WaitOutput(t, lbRE, 30*time.Second)
	base := m[1]
	if m[2] != "2" {
		t.Fatalf("vfx lb says %s workers are ready, want 2", m[2])
	}
	reqs := mixedLoad(t, 4)
	client := &http.Client{Timeout: 60 * time.Second}
	served := map[string]int{}
	for _, r := range reqs {
		resp, err := client.Post(base+r.path, "", bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", r.path, resp.Status)
		}
		served[resp.Header.Get("X-Worker-Id")]++
	}
	if served["static-0"] != 2 || served["static-1"] != 2 {
		t.Errorf("round-robin served %v, want 2 requests on each worker", served)
	}
	lb.stop(t, syscall.SIGTERM, 30*time.Second)
	for i, w := range workers {
		select {
		case <-w.Exited():
			t.Errorf("worker %d exited with the load balancer: the static provider does not own it", i)
		default:
		}
		resp, err := http.Get("http://" + addrs[i] + "/health")
		if err != nil {
			t.Fatalf("worker %d after the load balancer stopped: %v", i, err)
		}
		resp.Body.Close()
	}
	for _, w := range workers {
		w.stop(t, syscall.SIGTERM, 30*time.Second)
	}
}
