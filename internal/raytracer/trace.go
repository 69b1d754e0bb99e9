package raytracer

import (
	"math"
	"sync/atomic"
)

// maxRecursion is the original's MAX_RECURSION_LEVEL: hits at depths 0..6
// are shaded, and only those at depth <= 5 spawn reflection and
// transmission rays.
const maxRecursion = 5

// tracer traces rays through one scene on one goroutine. Its counters are
// private to the goroutine and merged when the render ends.
type tracer struct {
	s     *Scene
	abort *atomic.Bool // set when the render is cancelled
	// countOnly traces the rays and counts their work without computing
	// any colour (no pigment, texture or light): the counts are those of
	// a render, which never depend on colours (RayCounter).
	countOnly bool

	rays, tests int64
	_           [48]byte // keep tracers of different goroutines off one cache line
}

// hit is the original's RayHit, with the normal computed only for the hit
// that is kept.
type hit struct {
	t        float64
	p        vec // the hit point
	d        vec // direction of the ray that hit
	sh       *shape
	incoming bool // the ray enters the shape (false: it leaves a sphere)
}

// nearest is the original's findHit: the shapes are tested in file order
// and a hit is kept when its t is below the best so far (strictly, so the
// first of equal hits wins; NaN never wins).
func (tr *tracer) nearest(r *ray) (hit, bool) {
	best := hit{t: math.Inf(1), d: r.d}
	found := false
	shapes := tr.s.shapes
	tr.tests += int64(len(shapes))
	for i := range shapes {
		sh := &shapes[i]
		switch sh.kind {
		case shapeSphere:
			tv, in, ok := sh.sphere(r)
			if !ok {
				continue
			}
			p := r.o.addScaled(r.d, tv)
			if t := p.sub(r.o).length(); t < best.t {
				best.t, best.p, best.sh, best.incoming = t, p, sh, in
				found = true
			}
		case shapePlane:
			t, ok := sh.plane(r)
			if ok && t < best.t {
				best.t, best.p, best.sh, best.incoming = t, r.o.addScaled(r.d, t), sh, true
				found = true
			}
		case shapeTriangle:
			t, p, ok := sh.triangle(r)
			if ok && t < best.t {
				best.t, best.p, best.sh, best.incoming = t, p, sh, true
				found = true
			}
		}
	}
	return best, found
}

// blocked tells whether any shape is hit at a t below tmax: the original's
// findHit on a shadow ray, which returns a hit if and only if that is so.
// It stops at the first such shape.
func (tr *tracer) blocked(r *ray, tmax float64) bool {
	shapes := tr.s.shapes
	for i := range shapes {
		sh := &shapes[i]
		var t float64
		var ok bool
		switch sh.kind {
		case shapeSphere:
			var tv float64
			if tv, _, ok = sh.sphere(r); ok {
				t = r.o.addScaled(r.d, tv).sub(r.o).length()
			}
		case shapePlane:
			t, ok = sh.plane(r)
		case shapeTriangle:
			t, _, ok = sh.triangle(r)
		}
		if ok && t < tmax {
			tr.tests += int64(i + 1)
			return true
		}
	}
	tr.tests += int64(len(shapes))
	return false
}

// sphere is the original's Sphere.intersect up to the choice of the root
// tv; the hit point is r.o + r.d*tv and the original's t is the distance
// from r.o to that point.
func (sh *shape) sphere(r *ray) (tv float64, incoming, ok bool) {
	v := r.o.sub(sh.center)
	b := 2 * v.dot(r.d)
	c := v.dot(v) - sh.rr
	disc := float64(b*b) - float64(4*c)
	if disc < 0 {
		return 0, false, false
	}
	sq := math.Sqrt(disc)
	tm := (-b - sq) / 2
	tp := (-b + sq) / 2
	if tm < 0 && tp < 0 {
		return 0, false, false
	}
	if tm < 0 && tp > 0 {
		return tp, false, true
	}
	return tm, true, true
}

// plane is the original's Plane.intersect.
func (sh *shape) plane(r *ray) (float64, bool) {
	den := float64(sh.a*r.d.x) + float64(sh.b*r.d.y) + float64(sh.c*r.d.z)
	if den == 0 {
		return 0, false
	}
	t := -(float64(sh.a*r.o.x) + float64(sh.b*r.o.y) + float64(sh.c*r.o.z) + sh.d) / den
	if t < 0 {
		return 0, false
	}
	return t, true
}

// triangle is the original's Triangle.intersect: the plane hit, then the
// barycentric test.
func (sh *shape) triangle(r *ray) (float64, vec, bool) {
	t, ok := sh.plane(r)
	if !ok {
		return 0, vec{}, false
	}
	p := r.o.addScaled(r.d, t)
	w := p.add(sh.p1.neg())
	wu, wv := w.dot(sh.u), w.dot(sh.v)
	s := (float64(sh.uv*wv) - float64(sh.vv*wu)) / sh.dd
	if s < 0 || s > 1 {
		return 0, vec{}, false
	}
	tt := (float64(sh.uv*wu) - float64(sh.uu*wv)) / sh.dd
	if tt < 0 || (s+tt) > 1 {
		return 0, vec{}, false
	}
	return p.sub(r.o).length(), p, true
}

// normal is the hit's normalized normal, as the original's RayHit holds it.
func (h *hit) normal() vec {
	if h.sh.kind != shapeSphere {
		return h.sh.normal
	}
	if h.incoming {
		return h.p.sub(h.sh.center).normalize()
	}
	return h.sh.center.sub(h.p).normalize()
}

// trace is the original's trace: the shaded nearest hit, or the grey
// background.
func (tr *tracer) trace(r ray, depth int) rgb {
	tr.rays++
	h, ok := tr.nearest(&r)
	if !ok {
		return background
	}
	return tr.shade(&h, depth)
}

// shade is the original's shade: ambient light, then every point light
// not in shadow, then reflection and transmission.
func (tr *tracer) shade(h *hit, depth int) rgb {
	if tr.abort.Load() {
		return black
	}
	fin := &h.sh.fin
	lights := tr.s.lights
	n := h.normal()
	var pc rgb
	if !tr.countOnly {
		pc = h.sh.pig.color(h.p, tr.s.tex)
	}

	c := black
	if fin.amb > 0 && !tr.countOnly {
		c = blend(c, mul(pc, intensify(lights[0].color, fin.amb)))
	}
	for i := 1; i < len(lights); i++ {
		l := &lights[i]
		toLight := l.loc.sub(h.p)
		lr := newRay(h.p, toLight)
		tr.rays++
		if !tr.blocked(&lr, toLight.length()) && !tr.countOnly {
			c = blend(c, l.contribution(h, n, pc, lr))
		}
	}
	if depth <= maxRecursion {
		if fin.refl > 0 {
			d := h.d
			rd := d.sub(n.scale(2.0 * d.dot(n)))
			c = blend(c, intensify(tr.trace(newRay(h.p, rd), depth+1), fin.refl))
		}
		if fin.trans > 0 {
			c = blend(c, intensify(tr.trace(newRay(h.p, transmission(h, n)), depth+1), fin.trans))
		}
	}
	return c
}

// transmission is the direction of the original's transmission ray; under
// total internal reflection it is NaN, and such a ray hits nothing.
func transmission(h *hit, n vec) vec {
	v := h.d.neg()
	cosi := v.dot(n)
	nint := float64(h.sh.fin.ior)
	if h.incoming {
		nint = 1.0 / nint
	}
	cost := math.Sqrt(1.0 - float64(float64(nint*nint)*(1-float64(cosi*cosi))))
	return n.scale(float64(nint*cosi) - cost).sub(v.scale(nint))
}

// contribution is the original's Light.getColor: attenuated Phong diffuse
// and specular terms in float32, for the hit h with normal n and pigment
// colour pc, seen along the shadow ray lr.
func (l *light) contribution(h *hit, n vec, pc rgb, lr ray) rgb {
	fin := &h.sh.fin
	dist := lr.o.distance(l.loc)
	att := 1.0 / float32(float64(l.a)+float64(float64(l.b)*dist)+float64(float64(l.c)*float64(dist*dist)))
	var diff, spec float32
	if fin.diff > 0 {
		diff = fin.diff * float32(javaMax0(n.dot(lr.d)))
	}
	if fin.spec > 0 {
		half := lr.d.add(h.d.neg()).normalize()
		spec = fin.spec * float32(math.Pow(javaMax0(n.dot(half)), float64(fin.shiny)))
	}
	return rgb{
		clampf(float32(l.color.r*att) * (float32(pc.r*diff) + spec)),
		clampf(float32(l.color.g*att) * (float32(pc.g*diff) + spec)),
		clampf(float32(l.color.b*att) * (float32(pc.b*diff) + spec)),
	}
}
