package raytracer

import "math"

// color is the pigment's colour at point p, as the original's pigments.
func (pg *pigment) color(p vec, tex *texture) rgb {
	switch pg.kind {
	case pigChecker:
		which := (absFloor(p.x/pg.scale) + absFloor(p.y/pg.scale) + absFloor(p.z/pg.scale)) % 2
		if which == 0 {
			return pg.c1
		}
		return pg.c2
	case pigTexmap:
		s := float64(pg.s[0]*p.x) + float64(pg.s[1]*p.y) + float64(pg.s[2]*p.z) + pg.s[3]
		t := float64(pg.t[0]*p.x) + float64(pg.t[1]*p.y) + float64(pg.t[2]*p.z) + pg.t[3]
		return tex.at(wrapUnit(s), wrapUnit(t))
	}
	return pg.c1
}

// absFloor is the original checker's (int) Math.abs(Math.floor(d)); the
// sum of three of them wraps around in 32 bits as in Java.
func absFloor(d float64) int32 { return javaD2I(math.Abs(math.Floor(d))) }
