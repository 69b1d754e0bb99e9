package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// TestE2EOriginalClientScripts runs the original system's client scripts,
// with real curl, jq, hexdump and base64, against a real `vfx worker`
// process, then the vfx request command, then checks the outputs and the
// records the worker left in its SQLite store.
func TestE2EOriginalClientScripts(t *testing.T) {
	testutil.NeedTools(t, "bash", "curl", "jq", "hexdump", "base64", "sed")
	w := startWorker(t)
	dir := t.TempDir()
	testutil.CopyScriptInputs(t, dir)
	addr := strings.TrimPrefix(w.base, "http://")
	env := []string{"ADDR=" + addr}

	// sendBlurImageRequest.sh and sendEnhanceImageRequest.sh, with the
	// worker's port.
	for _, path := range []string{"blurimage", "enhanceimage"} {
		testutil.RunScript(t, dir, testutil.ImageScript(path), env...)
	}
	// The same body sent with its 76-column line wraps kept
	// (--data-binary), which the original refused.
	testutil.RunScript(t, dir, `
curl -sS -X POST http://$ADDR/blurimage --data-binary @"./temp.txt" > result.txt
sed -i 's/^[^,]*,//' result.txt
base64 -d result.txt > wrapped.jpg
`, env...)
	// sendRayTracerRequest.sh.
	testutil.RunScript(t, dir, testutil.RaytracerScript, env...)
	// Its texmap variant (the commented-out hexdump | jq step), with the
	// course's "complex" request: test-texmap.txt and its texture.
	testutil.RunScript(t, dir, testutil.TexmapScript, env...)

	assertSameImage(t, decodeFile(t, filepath.Join(dir, "result.bmp"), "bmp"), seedBMP(t, "raytracer/reference-renders/result.bmp"))
	assertSameImage(t, decodeFile(t, filepath.Join(dir, "texmap.bmp"), "bmp"), seedBMP(t, "raytracer/generated-goldens/test-texmap_400x300_tm-test-texmap.bmp"))
	blur := decodeFile(t, filepath.Join(dir, "blurimage.jpg"), "jpeg")
	enh := decodeFile(t, filepath.Join(dir, "enhanceimage.jpg"), "jpeg")
	wrapped := decodeFile(t, filepath.Join(dir, "wrapped.jpg"), "jpeg")
	for name, img := range map[string]image.Image{"blur": blur, "enhance": enh, "wrapped blur": wrapped} {
		if img.Bounds().Dx() != 960 || img.Bounds().Dy() != 686 {
			t.Errorf("%s result is %v, want 960x686", name, img.Bounds())
		}
	}
	if _, ok := enh.(*image.Gray); !ok {
		t.Errorf("enhance result decodes as %T, want a one-component (grey) JPEG", enh)
	}
	if _, ok := blur.(*image.Gray); ok {
		t.Error("blur result is grey, want colour")
	}
	if !sameImage(blur, wrapped) {
		t.Error("the line-wrapped body gave another blur than the unwrapped one")
	}

	// vfx request: the output format from the extension (PNG, converted
	// locally from the worker's BMP), a summary line, and the server's
	// message on a bad request.
	bin := testutil.NeedVFX(t)
	out := filepath.Join(dir, "cli.png")
	cmd := exec.Command(bin, "request", "raytrace", filepath.Join(dir, "test01.txt"), "--url", w.base, "-o", out)
	stderr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("vfx request raytrace: %v\n%s", err, stderr)
	}
	if !regexp.MustCompile(`wrote .*cli\.png \(400x300 png, \d+ bytes\) from worker e2e-worker in .*: \d+ units`).Match(stderr) {
		t.Errorf("summary line %q", stderr)
	}
	assertSameImage(t, decodeFile(t, out, "png"), seedBMP(t, "raytracer/reference-renders/result.bmp"))

	bad := filepath.Join(dir, "bad.txt")
	scene := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	badScene := bytes.Replace(scene, []byte("sphere"), []byte("sphre"), 1)
	if err := os.WriteFile(bad, badScene, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "request", "raytrace", bad, "--scols", "8", "--srows", "6", "-o", filepath.Join(dir, "bad.bmp"))
	cmd.Env = append(os.Environ(), "VFX_URL="+w.base)
	stderr, err = cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !regexp.MustCompile(`(?m)^vfx: server said 400 Bad Request: scene line \d+, token "sphre"`).Match(stderr) {
		t.Errorf("bad scene: %v\n%s\nwant exit status 1 and vfx: server said 400 Bad Request: scene line N, token \"sphre\"...", err, stderr)
	}

	cmd = exec.Command(bin, "request", "enhance", filepath.Join(dir, "airplane.jpg"), "--url", w.base, "-o", filepath.Join(dir, "cli-enhance.jpg"))
	if stderr, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(stderr), "960x686 jpg") {
		t.Errorf("vfx request enhance: %v\n%s", err, stderr)
	}

	w.stop(t)

	reqs, samples := w.records(t)
	airplane := testutil.SeedFile(t, "imageproc/inputs/airplane.jpg")
	tex := testutil.SeedFile(t, "raytracer/textures/test-texmap.bmp")
	texScene := testutil.SeedFile(t, "raytracer/scenes/test-texmap.txt")
	imgFeat := func(k workload.Kind) workload.Features {
		return workload.Features{Kind: k, Width: 960, Height: 686, Format: "jpg", InputBytes: len(airplane), InputHash: wire.InputHash(airplane)}
	}
	rayFeat := func(w, h int) workload.Features {
		return workload.Features{Kind: workload.Raytracer, SCols: w, SRows: h, WCols: w, WRows: h, Shapes: 4, Lights: 3,
			SceneBytes: len(scene), InputBytes: len(scene), InputHash: wire.InputHash(scene)}
	}
	want := []struct {
		f      workload.Features
		status int
	}{
		{imgFeat(workload.Blur), 200},
		{imgFeat(workload.Enhance), 200},
		{imgFeat(workload.Blur), 200},
		{rayFeat(400, 300), 200},
		{workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300, Shapes: 12, Lights: 3, Reflective: 11,
			TexmapBytes: len(tex), SceneBytes: len(texScene), InputBytes: len(tex) + len(texScene), InputHash: wire.InputHash(texScene, tex)}, 200},
		{rayFeat(400, 300), 200},
		{workload.Features{Kind: workload.Raytracer, SCols: 8, SRows: 6, WCols: 8, WRows: 6,
			SceneBytes: len(badScene), InputBytes: len(badScene), InputHash: wire.InputHash(badScene)}, 400},
		{imgFeat(workload.Enhance), 200},
	}
	if len(reqs) != len(want) {
		t.Fatalf("%d records, want %d (one per request): %+v", len(reqs), len(want), reqs)
	}
	// Records come newest first.
	for i, wr := range want {
		r := reqs[len(reqs)-1-i]
		got := r.Features
		if wr.status != 200 {
			// A refused scene: its features are the ones known before the
			// scene failed to parse.
			if got != wr.f || r.Status != 400 || r.Outcome != metrics.OutcomeClientError || !strings.Contains(r.Error, "sphre") {
				t.Errorf("record %d: %+v, want a client_error 400 about \"sphre\"", i, r)
			}
			continue
		}
		if got != wr.f {
			t.Errorf("record %d features\n got %+v\nwant %+v", i, got, wr.f)
		}
		if r.Outcome != metrics.OutcomeOK || r.Status != 200 || r.Units <= 0 || r.CPU <= 0 || r.Wall <= 0 || r.WorkerID != "e2e-worker" || r.Key == "" || r.RequestID == "" || r.Role != metrics.RoleDirect {
			t.Errorf("record %d: %+v", i, r)
		}
	}
	if len(samples) < 2 {
		t.Fatalf("%d worker samples, want one every 200ms", len(samples))
	}
	for _, s := range samples {
		if s.WorkerID != "e2e-worker" || s.Address != addr || s.MemoryBytes == 0 {
			t.Errorf("sample %+v", s)
		}
	}
	if last := samples[0]; last.Health != lifecycle.Draining || last.InFlight != 0 {
		t.Errorf("last sample %+v, want draining with nothing in flight", last)
	}
}

// decodeFile decodes an image file of the given format.
func decodeFile(t *testing.T, path, format string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, f, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v (starts %q)", path, err, b[:min(len(b), 40)])
	}
	if f != format {
		t.Fatalf("%s is %s, want %s", path, f, format)
	}
	return img
}

// TestE2EBadRequestsRealProcess sends every bad request, a slow client and
// a client that leaves mid-render to a real worker process; the worker
// answers each and keeps serving, and records them all.
func TestE2EBadRequestsRealProcess(t *testing.T) {
	w := startWorker(t, "--max-body", "1MiB", "--read-header-timeout", "300ms")
	ids := map[string]badCase{}
	for _, tc := range badRequests(t) {
		t.Run(tc.name, func(t *testing.T) {
			if id, _ := sendBad(t, w.base, tc); id != "" {
				ids[id] = tc
			}
		})
	}
	normalRequest(t, w.base)

	t.Run("headers never finish", func(t *testing.T) {
		assertDropsUnfinishedHeaders(t, strings.TrimPrefix(w.base, "http://"))
	})

	t.Run("client leaves mid-render", func(t *testing.T) {
		body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test04.txt"), nil)
		cancel, done := postUntilCancelled(w.base+"/raytracer?scols=3000&srows=2000&wcols=3000&wrows=2000&coff=0&roff=0&aa=true", "e2e-leaves", body)
		defer cancel()
		waitFor(t, 10*time.Second, "the render to start", func() bool { return len(getStatus(t, w.base).InFlight) == 1 })
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("client: %v", err)
		}
		waitFor(t, 3*time.Second, "nothing in flight", func() bool { return len(getStatus(t, w.base).InFlight) == 0 })
	})
	normalRequest(t, w.base)
	w.stop(t)

	reqs, _ := w.records(t)
	byID := map[string]metrics.RequestRecord{}
	for _, r := range reqs {
		byID[wire.EchoRequestID(r.ClientRequestID, r.RequestID)] = r
	}
	for id, tc := range ids {
		r, ok := byID[id]
		if !ok {
			t.Errorf("%s: no record", tc.name)
			continue
		}
		if r.Status != tc.status || r.Outcome != metrics.OutcomeClientError {
			t.Errorf("%s: recorded %d %s, want %d client_error", tc.name, r.Status, r.Outcome, tc.status)
		}
	}
	if r := byID["e2e-leaves"]; r.Outcome != metrics.OutcomeCancelled || r.Features.WCols != 3000 {
		t.Errorf("record of the request whose client left: %+v, want cancelled with its features", r)
	}
	if ok := countOutcome(reqs, metrics.OutcomeOK); ok != 2 {
		t.Errorf("%d ok records, want the 2 normal requests", ok)
	}
}

func countOutcome(reqs []metrics.RequestRecord, o metrics.Outcome) int {
	n := 0
	for _, r := range reqs {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

// TestE2EGracefulShutdown sends SIGTERM to a worker with a render in
// flight: it reports draining, refuses new work, finishes the render,
// flushes its records and exits 0.
func TestE2EGracefulShutdown(t *testing.T) {
	w := startWorker(t)
	body := sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test04.txt"), nil)
	type answer struct {
		status int
		body   []byte
		err    error
	}
	long := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, w.base+"/raytracer?scols=800&srows=450&wcols=800&wrows=450&coff=0&roff=0&aa=true", strings.NewReader(body))
		req.Header.Set(HeaderRequestID, "e2e-long")
		req.Header.Set("Accept", "image/bmp")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			long <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		long <- answer{resp.StatusCode, b, err}
	}()
	waitFor(t, 10*time.Second, "the render to start", func() bool { return len(getStatus(t, w.base).InFlight) == 1 })
	if err := w.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "/health to say draining", func() bool {
		resp, err := http.Get(w.base + "/health")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 503 && strings.TrimSpace(string(b)) == `{"status":"draining"}`
	})
	req, _ := http.NewRequest(http.MethodPost, w.base+tinyQuery, strings.NewReader(sceneBody(t, testutil.SeedFile(t, "raytracer/scenes/test01.txt"), nil)))
	req.Header.Set(HeaderRequestID, "e2e-refused")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(b), "draining") {
		t.Errorf("request while draining: %d %s", resp.StatusCode, b)
	}
	a := <-long
	if a.err != nil || a.status != 200 {
		t.Fatalf("the render in flight: %d %v %.100s", a.status, a.err, a.body)
	}
	img, f, err := image.Decode(bytes.NewReader(a.body))
	if err != nil || f != "bmp" || img.Bounds().Dx() != 800 || img.Bounds().Dy() != 450 {
		t.Fatalf("the render in flight: %v %s %v", err, f, img)
	}
	w.waitExit(t, 0)

	reqs, samples := w.records(t)
	got := map[string]metrics.Outcome{}
	for _, r := range reqs {
		got[r.ClientRequestID] = r.Outcome
	}
	if got["e2e-long"] != metrics.OutcomeOK || got["e2e-refused"] != metrics.OutcomeRejected || len(reqs) != 2 {
		t.Errorf("records %v: want e2e-long ok and e2e-refused rejected", got)
	}
	draining := 0
	for _, s := range samples {
		if s.Health == lifecycle.Draining {
			draining++
		}
	}
	if draining < 2 {
		t.Errorf("%d draining samples, want one when draining starts and one at the end", draining)
	}
}

// TestE2EExitWithParent kills the process that started a worker with
// --exit-with-parent: the worker notices within a second and shuts down
// cleanly (exit 0).
func TestE2EExitWithParent(t *testing.T) {
	bin := testutil.NeedVFX(t)
	// Become the subreaper of orphaned descendants, so the orphaned worker
	// is re-parented to this test (which can then read its exit status).
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "worker.log")
	parent := exec.Command("sh", "-c", `"$VFX" worker --exit-with-parent --listen 127.0.0.1:0 --store none --id orphan 2>"$LOG" & echo $!; exec sleep 60`)
	parent.Env = append(os.Environ(), "VFX="+bin, "LOG="+logPath)
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	defer parent.Process.Kill()
	var pid int
	if _, err := fmt.Fscan(stdout, &pid); err != nil {
		t.Fatalf("reading the worker's pid: %v", err)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	var base string
	waitFor(t, 30*time.Second, "the worker to listen", func() bool {
		b, _ := os.ReadFile(logPath)
		if m := listenRE.FindSubmatch(b); m != nil {
			base = "http://" + string(m[1])
			return true
		}
		return false
	})
	normalRequest(t, base)

	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	killed := time.Now()
	exited := make(chan unix.WaitStatus, 1)
	go func() {
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(pid, &ws, 0, nil)
			if err == unix.EINTR {
				continue
			}
			exited <- ws
			return
		}
	}()
	select {
	case ws := <-exited:
		t.Logf("worker exited %s after its parent was killed", time.Since(killed).Round(time.Millisecond))
		if !ws.Exited() || ws.ExitStatus() != 0 {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("worker ended with %v, want exit status 0\n%s", ws, b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("worker still running 10s after its parent was killed")
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), "parent process exited") || !strings.Contains(string(b), "worker stopped") {
		t.Errorf("log lacks the shutdown:\n%s", b)
	}
}
