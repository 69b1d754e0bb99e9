package costcheck

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
	"time"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/imageproc"
	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/probe"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// Config is one scoring run.
type Config struct {
	// Mix is what is drawn (load it afresh for each run).
	Mix *loadgen.Mix
	// Seed seeds the mix's sequence.
	Seed uint64
	// Count is how many requests are drawn, predicted, run and learnt.
	Count int
	// From is the first request scored (0-based): requests before it
	// are only learnt.
	From int
	// Model predicts and learns (a fresh estimator.New by default).
	Model *estimator.Model
	// Probe, if not nil, probes each request as the load balancer does
	// (probe.Features) before it is predicted; nil predicts from the
	// header's features alone.
	Probe *probe.Options
	// Threads is how many goroutines each workload runs on (0: all
	// cores).
	Threads int
}

// Score is the error of a set of predictions.
type Score struct {
	N int `json:"n"`
	// MAPE is the mean absolute percentage error (0.1 = 10 %).
	MAPE float64 `json:"mape"`
	// P90 is the 90th percentile of the absolute percentage error.
	P90 float64 `json:"p90"`
}

// Result is a run's scores.
type Result struct {
	Kinds   map[workload.Kind]Score            `json:"workloads"`
	Sources map[workload.Kind]map[string]Score `json:"sources"`
	// Predict is the CPU time spent predicting the scored requests
	// (decoding their header excluded), per workload.
	Predict map[workload.Kind]time.Duration `json:"predict_ns"`
}

// Run draws, predicts, runs and learns cfg.Count requests and scores the
// predictions of those from cfg.From on.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Mix == nil || cfg.Count <= 0 || cfg.From < 0 || cfg.From >= cfg.Count {
		return nil, errors.New("costcheck: a mix, a positive count and a first scored request below it are needed")
	}
	m := cfg.Model
	if m == nil {
		m = estimator.New(estimator.Options{})
	}
	lc := loadgen.DefaultConfig()
	lc.Mix, lc.Seed, lc.Count = cfg.Mix, cfg.Seed, cfg.Count
	apes := map[workload.Kind][]float64{}
	bySource := map[workload.Kind]map[string][]float64{}
	spent := map[workload.Kind]time.Duration{}
	now := time.Unix(0, 0)
	_, err := loadgen.Draw(ctx, lc, func(seq int, in *loadgen.Input) error {
		req, f, err := wire.DecodeHeader(in.Kind, in.Query, in.Body, wire.DefaultLimits())
		if err != nil {
			return fmt.Errorf("header: %w", err)
		}
		t0 := time.Now()
		if cfg.Probe != nil {
			in := probe.Input{Scene: req.Scene, Params: req.Params}
			if in.Image, err = probeImage(req, *cfg.Probe); err != nil {
				return err
			}
			f = probe.Features(f, in, *cfg.Probe)
		}
		cost := m.Estimate(f)
		took := time.Since(t0)
		units, err := actualUnits(ctx, in, cfg.Threads)
		if err != nil {
			return err
		}
		if seq >= cfg.From {
			ape := math.Abs(cost.Units-float64(units)) / max(float64(units), 1)
			apes[in.Kind] = append(apes[in.Kind], ape)
			if bySource[in.Kind] == nil {
				bySource[in.Kind] = map[string][]float64{}
			}
			bySource[in.Kind][cost.Source] = append(bySource[in.Kind][cost.Source], ape)
			spent[in.Kind] += took
		}
		now = now.Add(time.Second)
		m.Observe(now, f, float64(units))
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Kinds: map[workload.Kind]Score{}, Sources: map[workload.Kind]map[string]Score{}, Predict: spent}
	for k, a := range apes {
		res.Kinds[k] = score(a)
		res.Sources[k] = map[string]Score{}
		for s, b := range bySource[k] {
			res.Sources[k][s] = score(b)
		}
	}
	return res, nil
}

func score(apes []float64) Score {
	s := Score{N: len(apes)}
	if len(apes) == 0 {
		return s
	}
	sorted := append([]float64(nil), apes...)
	sort.Float64s(sorted)
	sum := 0.0
	for _, a := range sorted {
		sum += a
	}
	s.MAPE = sum / float64(len(sorted))
	s.P90 = sorted[min(len(sorted)-1, int(math.Ceil(0.9*float64(len(sorted))))-1)]
	return s
}

// actualUnits runs the request's workload as a worker does and returns
// the work units it counted.
func actualUnits(ctx context.Context, in *loadgen.Input, threads int) (int64, error) {
	lim := wire.DefaultLimits()
	req, _, err := wire.Decode(in.Kind, in.Query, in.Body, lim)
	if err != nil {
		return 0, fmt.Errorf("decode: %w", err)
	}
	switch req.Kind {
	case workload.Raytracer:
		p := req.Params
		p.Threads = threads
		_, st, err := raytracer.Render(ctx, req.Scene, p)
		return st.Units(), err
	case workload.Blur, workload.Enhance:
		src, err := wire.DecodeImage(req.Image, lim)
		if err != nil {
			return 0, err
		}
		o := imageproc.Options{Threads: threads}
		var st imageproc.Stats
		if req.Kind == workload.Blur {
			_, st, err = imageproc.Blur(ctx, src, o)
		} else {
			_, st, err = imageproc.Enhance(ctx, src, o)
		}
		return st.Units, err
	}
	return 0, fmt.Errorf("unknown workload %q", req.Kind)
}

// probeImage decodes an enhance request's image for its probe, when the
// probe may decode images.
func probeImage(req *wire.Request, o probe.Options) (image.Image, error) {
	if req.Kind != workload.Enhance || !o.DecodeImages {
		return nil, nil
	}
	if err := req.DecodePixels(); err != nil {
		return nil, err
	}
	return wire.DecodeImage(req.Image, wire.DefaultLimits())
}
