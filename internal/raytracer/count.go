package raytracer

import (
	"fmt"
	"sync/atomic"
)

// RayCounter traces single primary rays of one render and counts the work
// units each costs (the rays it spawns and their intersection tests),
// exactly as Render counts them, without computing any colour: a sparse
// probe of a render's cost. The scene's texture need not be decoded
// (ParseSceneHeader is enough). A RayCounter is not safe for concurrent
// use; build one per goroutine.
type RayCounter struct {
	tr    tracer
	cam   camera
	p     Params
	abort atomic.Bool
}

// NewRayCounter returns a counter of the render of s with p (checked as
// Render checks it).
func NewRayCounter(s *Scene, p Params) (*RayCounter, error) {
	if s == nil {
		return nil, fmt.Errorf("ray counter: nil scene")
	}
	lim := DefaultLimits()
	lim.MaxPixels = hardMaxPixels
	if err := p.Validate(lim); err != nil {
		return nil, fmt.Errorf("ray counter: %w", err)
	}
	c := &RayCounter{cam: newCamera(s.eye, s.center, s.up, s.fovy, p.SCols, p.SRows), p: p}
	c.tr = tracer{s: s, abort: &c.abort, countOnly: true}
	return c, nil
}

// Samples is the number of primary rays per output pixel: 4 with
// anti-aliasing, else 1.
func (c *RayCounter) Samples() int {
	if c.p.AA {
		return 4
	}
	return 1
}

// Primary counts the units of primary ray k (0 <= k < Samples()) of output
// pixel (col, row) of the window, (0, 0) at its top left, as Render traces
// it, and returns them.
func (c *RayCounter) Primary(col, row, k int) int64 {
	before := c.tr.rays + c.tr.tests
	sc, sr := col+c.p.COff, c.p.WRows-1-(row+c.p.ROff)
	dx, dy := 0.5, 0.5
	if c.p.AA {
		dx, dy = aaOffsets[k&3][0], aaOffsets[k&3][1]
	}
	c.tr.trace(c.cam.ray(sc, sr, dx, dy), 0)
	return c.tr.rays + c.tr.tests - before
}

// aaOffsets are the sub-pixel offsets of the anti-aliased primary rays, in
// the order pixel traces them.
var aaOffsets = [4][2]float64{{0, 0}, {0.5, 0}, {0, 0.5}, {0.5, 0.5}}

// Stats are the rays and tests counted so far (CPU is left zero).
func (c *RayCounter) Stats() Stats { return Stats{Rays: c.tr.rays, Tests: c.tr.tests} }
