package raytracer

import (
	"context"
	"fmt"
	"image"
	"sync/atomic"
	"time"

	"github.com/specialvfx/vfx/internal/instrument"
)

// Stats are the work and CPU time of one render.
type Stats struct {
	// Rays counts the rays traced: primary rays (4 per pixel with
	// anti-aliasing, else 1), shadow rays (one per point light per shaded
	// hit), reflection and transmission rays.
	Rays int64
	// Tests counts ray-shape intersection tests against the shapes that can
	// be hit (the shapes the original reads but never hits are not tested).
	// Shadow rays stop testing at the first shape that blocks the light.
	Tests int64
	// CPU is the thread CPU time of the goroutines that rendered.
	CPU time.Duration
}

// Units are the render's work units: Rays + Tests. They depend only on the
// scene and the parameters (not on Threads, the machine or the load), and
// grow with the real cost of a render: one unit is one ray traced or one
// ray-shape intersection test.
func (s Stats) Units() int64 { return s.Rays + s.Tests }

// hardMaxPixels bounds the scene and window areas Render accepts whatever
// Limits the caller validated with: 2^28 pixels, a 1 GiB image.
const hardMaxPixels = 1 << 28

// segment is the number of pixels of one task: rows are cut into segments
// so that work spreads evenly over goroutines and a cancellation is seen
// quickly even in very wide windows.
const segment = 128

// Render traces the window of the scene that p describes (see Params) and
// returns it as a wcols x wrows image, with the render's Stats. It uses
// p.Threads goroutines (0 = all cores), each locked to an OS thread so
// that Stats.CPU is exact under concurrency. When ctx is cancelled it
// stops within about one pixel's work and returns ctx's error with the
// Stats of the work done so far.
//
// Callers check p with p.Validate and their own Limits first; Render
// itself refuses parameters that Validate refuses under DefaultLimits,
// except that it allows areas up to 2^28 pixels.
func Render(ctx context.Context, s *Scene, p Params) (*image.RGBA, Stats, error) {
	if s == nil {
		return nil, Stats{}, fmt.Errorf("render: nil scene")
	}
	if s.tex != nil && s.tex.img == nil {
		return nil, Stats{}, fmt.Errorf("render: the scene's texture is not decoded (ParseSceneHeader without DecodeTexture)")
	}
	lim := DefaultLimits()
	lim.MaxPixels = hardMaxPixels // the caller applies its own Limits with Validate
	if err := p.Validate(lim); err != nil {
		return nil, Stats{}, fmt.Errorf("render: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, Stats{}, fmt.Errorf("render: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, p.WCols, p.WRows))
	cam := newCamera(s.eye, s.center, s.up, s.fovy, p.SCols, p.SRows)

	var abort atomic.Bool
	stop := context.AfterFunc(ctx, func() { abort.Store(true) })
	defer stop()

	workers := instrument.Workers(p.Threads)
	tracers := make([]*tracer, workers)
	for i := range tracers {
		tracers[i] = &tracer{s: s, abort: &abort}
	}
	perRow := (p.WCols + segment - 1) / segment
	tasks := p.WRows * perRow
	cpu, err := instrument.Tasks(ctx, workers, tasks, func(w, task int) {
		tr := tracers[w]
		r := task / perRow
		c0 := (task % perRow) * segment
		c1 := min(c0+segment, p.WCols)
		row := p.WRows - 1 - (r + p.ROff)
		pix := img.Pix[img.PixOffset(c0, r):]
		for c := c0; c < c1 && !abort.Load(); c++ {
			col := tr.pixel(&cam, c+p.COff, row, p.AA)
			pix[0], pix[1], pix[2], pix[3] = to8(col.r), to8(col.g), to8(col.b), 0xff
			pix = pix[4:]
		}
	})
	st := Stats{CPU: cpu}
	for _, tr := range tracers {
		st.Rays += tr.rays
		st.Tests += tr.tests
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, st, fmt.Errorf("render: %w", err)
	}
	return img, st, nil
}

// pixel is the original's getPixelColor for scene column col and scene
// row row (0 at the bottom).
func (tr *tracer) pixel(cam *camera, col, row int, aa bool) rgb {
	if !aa {
		return tr.trace(cam.ray(col, row, 0.5, 0.5), 0)
	}
	c1 := tr.trace(cam.ray(col, row, 0, 0), 0)
	c2 := tr.trace(cam.ray(col, row, 0.5, 0), 0)
	c3 := tr.trace(cam.ray(col, row, 0, 0.5), 0)
	c4 := tr.trace(cam.ray(col, row, 0.5, 0.5), 0)
	return average4(c1, c2, c3, c4)
}
