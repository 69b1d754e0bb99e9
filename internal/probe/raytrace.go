package probe

import (
	"math"

	"github.com/specialvfx/vfx/internal/raytracer"
)

// Result is a probe's estimate.
type Result struct {
	// Units is the estimated work units of the whole request.
	Units float64
	// Samples is how many samples the probe took (primary rays for a ray
	// trace) and Spent the work units they cost.
	Samples int
	Spent   int64
	// Exact is set when the probe covered the whole request, so Units is
	// what it costs.
	Exact bool
}

// Raytrace probes the render of s with p: it traces up to o.Rays primary
// rays, one per cell of a grid of about that many cells over the window
// (each at its cell's central pixel; with anti-aliasing the cells take
// the four sub-pixel rays in turn), and scales the units each costs by
// its cell's share of the render's primary rays. A budget that covers
// every primary ray traces them all: the estimate is then exact. ok is
// false, and nothing is traced, when the render's parameters are invalid
// or when o.MaxShare of its primary rays is fewer than o.MinRays.
func Raytrace(s *raytracer.Scene, p raytracer.Params, o Options) (r Result, ok bool) {
	o = o.withDefaults()
	c, err := raytracer.NewRayCounter(s, p)
	if err != nil {
		return Result{}, false
	}
	samples := c.Samples()
	primary := float64(p.WCols) * float64(p.WRows) * float64(samples)
	n := min(float64(o.Rays), math.Floor(o.MaxShare*primary))
	if n < float64(o.MinRays) {
		return Result{}, false
	}
	if n >= primary {
		return exact(c, p), true
	}
	gx, gy := grid(p.WCols, p.WRows, n)
	total := 0.0
	k := 0
	for j := range gy {
		y0, y1 := j*p.WRows/gy, (j+1)*p.WRows/gy
		for i := range gx {
			x0, x1 := i*p.WCols/gx, (i+1)*p.WCols/gx
			u := c.Primary((x0+x1-1)/2, (y0+y1-1)/2, k%samples)
			total += float64(u) * float64(x1-x0) * float64(y1-y0)
			k++
		}
	}
	return Result{Units: total * float64(samples), Samples: k, Spent: c.Stats().Units()}, true
}

// grid cuts a w×h window into gx×gy cells, about n of them, as square as
// the window allows.
func grid(w, h int, n float64) (gx, gy int) {
	gx = int(math.Round(math.Sqrt(n * float64(w) / float64(h))))
	gx = max(1, min(w, gx))
	gy = max(1, min(h, int(n)/gx))
	return gx, gy
}

// exact traces every primary ray of the render.
func exact(c *raytracer.RayCounter, p raytracer.Params) Result {
	var total int64
	for r := range p.WRows {
		for col := range p.WCols {
			for k := range c.Samples() {
				total += c.Primary(col, r, k)
			}
		}
	}
	return Result{Units: float64(total), Samples: p.WCols * p.WRows * c.Samples(), Spent: total, Exact: true}
}
