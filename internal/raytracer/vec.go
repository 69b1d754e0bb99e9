package raytracer

import "math"

// vec is a point or vector in float64, as the original's Point and Vector.
//
// Every operation rounds each product before it is added (the explicit
// float64 conversions forbid fused multiply-add), so results are bit for
// bit those of the original's Java code on any architecture.
type vec struct{ x, y, z float64 }

func (a vec) add(b vec) vec { return vec{a.x + b.x, a.y + b.y, a.z + b.z} }
func (a vec) sub(b vec) vec { return vec{a.x - b.x, a.y - b.y, a.z - b.z} }

func (a vec) scale(s float64) vec { return vec{float64(a.x * s), float64(a.y * s), float64(a.z * s)} }

// neg is the original's negate(), which multiplies by -1.
func (a vec) neg() vec { return a.scale(-1) }

func (a vec) dot(b vec) float64 {
	return float64(a.x*b.x) + float64(a.y*b.y) + float64(a.z*b.z)
}

func (a vec) cross(b vec) vec {
	return vec{
		float64(a.y*b.z) - float64(a.z*b.y),
		float64(a.z*b.x) - float64(a.x*b.z),
		float64(a.x*b.y) - float64(a.y*b.x),
	}
}

func (a vec) length() float64 { return math.Sqrt(a.dot(a)) }

// normalize multiplies by the reciprocal of the length, as the original
// does; a zero vector becomes NaNs (0 * +Inf), as in the original.
func (a vec) normalize() vec {
	m := a.length()
	d := math.Inf(1)
	if m != 0 {
		d = 1 / m
	}
	return a.scale(d)
}

// addScaled is p + v*s with the product rounded first.
func (p vec) addScaled(v vec, s float64) vec {
	return vec{p.x + float64(v.x*s), p.y + float64(v.y*s), p.z + float64(v.z*s)}
}

// distance is the original's Point.distanceTo: |q - p| summed in its order.
func (p vec) distance(q vec) float64 {
	dx, dy, dz := q.x-p.x, q.y-p.y, q.z-p.z
	return math.Sqrt(float64(dx*dx) + float64(dy*dy) + float64(dz*dz))
}

// ray is the original's Ray: a normalized direction and an origin moved
// 0.001 along it, to keep a ray from hitting the surface it starts on.
type ray struct {
	o, d vec
}

func newRay(origin, dir vec) ray {
	d := dir.normalize()
	return ray{o: origin.addScaled(d, 0.001), d: d}
}

// javaMax0 is Java's Math.max(0.0, x): NaN stays NaN, -0 becomes +0.
func javaMax0(x float64) float64 {
	if x != x {
		return x
	}
	if x > 0 {
		return x
	}
	return 0
}

// javaD2I is Java's (int) cast of a double: NaN is 0, out-of-range values
// saturate.
func javaD2I(x float64) int32 {
	switch {
	case x != x:
		return 0
	case x >= math.MaxInt32:
		return math.MaxInt32
	case x <= math.MinInt32:
		return math.MinInt32
	}
	return int32(x)
}
