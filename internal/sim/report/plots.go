package report

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/specialvfx/vfx/internal/sim"
)

// maxPoints bounds the points of a line, which keeps the SVG files small.
const maxPoints = 240

// Plot size.
const (
	width  = 7 * vg.Inch
	height = 3.5 * vg.Inch
)

// palette is a set of colours that stay apart on white.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xd6, 0x27, 0x28, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xff, 0x7f, 0x0e, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
}

// name is a policy pair's label.
func name(r *sim.Result) string { return r.Routing + " × " + r.Scaling }

// series is one line: y of each sample, NaN ones skipped, thinned to at
// most maxPoints by keeping the largest y of each stride (so peaks stay).
func series(s []sim.Sample, y func(sim.Sample) float64) plotter.XYs {
	stride := (len(s) + maxPoints - 1) / maxPoints
	stride = max(stride, 1)
	var xy plotter.XYs
	for i := 0; i < len(s); i += stride {
		best := math.NaN()
		t := s[i].T
		for _, x := range s[i:min(i+stride, len(s))] {
			if v := y(x); !math.IsNaN(v) && !(v <= best) {
				best, t = v, x.T
			}
		}
		if !math.IsNaN(best) {
			xy = append(xy, plotter.XY{X: t, Y: best})
		}
	}
	return xy
}

// newPlot is an empty plot with a title and axis labels.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// addLine adds a line in colour i; a solid one gets a legend entry, a
// dashed one (the same pair's second figure) none.
func addLine(p *plot.Plot, label string, xy plotter.XYs, i int, dashed bool, top *float64) error {
	for _, v := range xy {
		*top = max(*top, v.Y)
	}
	if len(xy) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("plot %s: %w", label, err)
	}
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.2)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	if !dashed {
		p.Legend.Add(label, l)
	}
	return nil
}

// headroom raises the top of the y axis above the data so that the legend,
// a line per policy pair at the top right, does not hide the lines.
func headroom(p *plot.Plot, ymax float64, pairs int) {
	if ymax > 0 && !math.IsInf(ymax, 0) {
		p.Y.Max = ymax * (1.05 + 0.1*float64(pairs))
	}
}

// Latency plots the p99 (solid) and p50 (dashed) latency of the requests
// completed in each sampling interval, per policy pair.
func Latency(results []*sim.Result) (*plot.Plot, error) {
	p := newPlot("Latency over time (p99 solid, p50 dashed)", "time (s)", "latency (s)")
	top := 0.0
	for i, r := range results {
		if err := addLine(p, name(r), series(r.Series, func(s sim.Sample) float64 { return s.P99 }), i, false, &top); err != nil {
			return nil, err
		}
		if err := addLine(p, "", series(r.Series, func(s sim.Sample) float64 { return s.P50 }), i, true, &top); err != nil {
			return nil, err
		}
	}
	p.Y.Min = 0
	headroom(p, top, len(results))
	return p, nil
}

// Pool plots the workers ready or booting (solid) and the autoscaler's
// target (dashed), per policy pair.
func Pool(results []*sim.Result) (*plot.Plot, error) {
	p := newPlot("Pool size (ready + booting solid, target dashed)", "time (s)", "workers")
	top := 0.0
	for i, r := range results {
		if r.Measured {
			continue // a trace records no pool
		}
		if err := addLine(p, name(r), series(r.Series, func(s sim.Sample) float64 { return float64(s.Ready + s.Booting) }), i, false, &top); err != nil {
			return nil, err
		}
		if err := addLine(p, "", series(r.Series, func(s sim.Sample) float64 { return float64(s.Desired) }), i, true, &top); err != nil {
			return nil, err
		}
	}
	p.Y.Min = 0
	headroom(p, top, len(results))
	return p, nil
}

// Backlog plots the requests queued in the load balancer (solid) and in
// flight on the workers (dashed), per policy pair.
func Backlog(results []*sim.Result) (*plot.Plot, error) {
	p := newPlot("Backlog (queued solid, in flight dashed)", "time (s)", "requests")
	top := 0.0
	for i, r := range results {
		if r.Measured {
			continue // a trace records no pool
		}
		if err := addLine(p, name(r), series(r.Series, func(s sim.Sample) float64 { return float64(s.Queue) }), i, false, &top); err != nil {
			return nil, err
		}
		if err := addLine(p, "", series(r.Series, func(s sim.Sample) float64 { return float64(s.InFlight) }), i, true, &top); err != nil {
			return nil, err
		}
	}
	p.Y.Min = 0
	headroom(p, top, len(results))
	return p, nil
}

// CDF plots the share of the completed requests answered within each
// latency, per policy pair, latency on a log scale.
func CDF(results []*sim.Result) (*plot.Plot, error) {
	p := newPlot("Latency CDF", "latency (s, log scale)", "share of requests")
	top := 0.0
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(4)
	p.Legend.YOffs = vg.Points(4)
	for i, r := range results {
		n := len(r.Latencies)
		if n == 0 {
			continue
		}
		var xy plotter.XYs
		steps := min(n, maxPoints)
		for k := 1; k <= steps; k++ {
			q := float64(k) / float64(steps)
			if x := r.Quantile(q); x > 0 {
				xy = append(xy, plotter.XY{X: x, Y: q})
			}
		}
		if err := addLine(p, name(r), xy, i, false, &top); err != nil {
			return nil, err
		}
	}
	p.Y.Min, p.Y.Max = 0, 1
	return p, nil
}

// WriteSVG draws p as SVG to w.
func WriteSVG(w io.Writer, p *plot.Plot) error {
	wt, err := p.WriterTo(width, height, "svg")
	if err != nil {
		return fmt.Errorf("draw: %w", err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	return nil
}
