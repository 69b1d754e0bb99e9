package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/sim"
	"github.com/specialvfx/vfx/internal/workload"
)

func results(t *testing.T) []*sim.Result {
	t.Helper()
	pool := []sim.Request{
		{Features: workload.Features{Kind: workload.Blur, Width: 64, Height: 64}, Units: 0.2},
		{Features: workload.Features{Kind: workload.Blur, Width: 640, Height: 480}, Units: 2},
	}
	reqs, err := sim.Generate(sim.Arrivals{Kind: sim.Poisson, Rate: 4, Count: 3000}, pool, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []*sim.Result
	for _, routing := range []string{"cost", "round-robin"} {
		c := sim.Default()
		c.Routing, c.Workers, c.Speed = routing, 2, 1
		c.Autoscaler.Max = 10
		r, err := sim.Run(c, reqs, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestWriteMakesAReportWithSmallPlots(t *testing.T) {
	dir := t.TempDir()
	res := results(t)
	files, err := Write(dir, Meta{Title: "Test", Lines: []string{"3000 requests"}}, res)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(figures)+1 {
		t.Fatalf("wrote %v, want %d files", files, len(figures)+1)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Test", "| cost | backlog |", "| round-robin | backlog |", "![Latency CDF](cdf.svg)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	for _, f := range figures {
		b, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "cost × backlog") {
			t.Errorf("%s is not an SVG plot with a legend", f.file)
		}
		if len(b) > 120<<10 {
			t.Errorf("%s is %d bytes, want it small (< 120 KiB)", f.file, len(b))
		}
	}
}

func TestMeasuredRowHasNoPoolLines(t *testing.T) {
	res := results(t)[:1]
	m := &sim.Result{Routing: sim.MeasuredRouting, Scaling: sim.MeasuredScaling, Measured: true, Latencies: []float64{0.1, 0.2},
		Series: []sim.Sample{{T: 2, P50: 0.1, P99: 0.2}, {T: 4, P50: 0.1, P99: 0.2}}}
	all := append([]*sim.Result{m}, res...)
	md := Markdown(Meta{}, all)
	if !strings.Contains(md, "| measured | (trace) | 0 | 0 |") || !strings.Contains(md, "| - | - | - | - | - | - |") {
		t.Errorf("report lacks the measured row with no pool figures:\n%s", md)
	}
	for _, f := range figures {
		p, err := f.draw(all)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := WriteSVG(&b, p); err != nil {
			t.Fatal(err)
		}
		hasMeasured := strings.Contains(b.String(), "measured × (trace)")
		if want := f.file == "latency.svg" || f.file == "cdf.svg"; hasMeasured != want {
			t.Errorf("%s: measured line drawn %v, want %v", f.file, hasMeasured, want)
		}
	}
}
