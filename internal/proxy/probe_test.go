package proxy

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/probe"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/workload"
)

// TestProbedPrediction: a ray trace big enough to probe is predicted from
// its probe (the worker is told the probe's estimate, not the prior's),
// and the state API and /metrics report the error by source; a tiny one
// is predicted from the prior.
func TestProbedPrediction(t *testing.T) {
	w := okWorker(t, "w0", 1_000_000)
	model := estimator.New(estimator.Options{MemorySize: -1})
	r := newRigWith(t, testConfig(), nil, func(o *Options) { o.Estimator = model }, w.URL)
	send := func(query string) string {
		resp, err := http.Post(r.lb.URL+"/raytracer?"+query, "application/json", bytes.NewReader(rayBody()))
		if err != nil {
			t.Fatal(err)
		}
		seen := resp.Header.Get("X-Seen-Predicted")
		if body := readAll(t, resp); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		return seen
	}
	const big = "scols=200&srows=150&wcols=200&wrows=150&coff=0&roff=0&aa=false"
	f := workload.Features{Kind: workload.Raytracer, SCols: 200, SRows: 150, WCols: 200, WRows: 150}
	seen, err := strconv.ParseFloat(send(big), 64)
	if err != nil {
		t.Fatal(err)
	}
	scene, err := raytracer.ParseScene([]byte(scene01), nil, raytracer.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	pr, ok := probe.Raytrace(scene, raytracer.Params{SCols: 200, SRows: 150, WCols: 200, WRows: 150}, probe.Options{})
	prior := estimator.PriorUnits(f, estimator.PriorParams{})
	if !ok || math.Abs(seen-pr.Units) > 1 || math.Abs(seen-prior) < 1 {
		t.Errorf("predicted %.0f units; the probe says %.0f, the prior %.0f", seen, pr.Units, prior)
	}
	send(strings.Replace(rayPath, "/raytracer?", "", 1)) // 8×6: too small to probe
	waitFor(t, 10*time.Second, "both requests learnt", func() bool {
		_, n := model.Accuracy(workload.Raytracer)
		return n == 2
	})
	acc := r.srv.State().Estimator.Accuracy[workload.Raytracer]
	if acc.Sources[estimator.SourceProbe].Samples != 1 || acc.Sources[estimator.SourceModel].Samples != 1 {
		t.Errorf("accuracy by source %+v, want one probe and one model prediction", acc.Sources)
	}
	resp, err := http.Get(r.lb.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if want := `vfx_lb_estimator_source_samples{source="probe",workload="raytracer"} 1`; !strings.Contains(string(text), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
