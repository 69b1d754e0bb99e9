package raytracer

// Scene is a parsed scene, ready to render any number of times, also
// concurrently. Build one with ParseScene.
type Scene struct {
	eye, center, up vec
	fovy            float64 // degrees

	lights   []light // lights[0] is the ambient light
	pigments []pigment
	shapes   []shape // only the shapes that can be hit, in file order
	tex      *texture
}

// SceneInfo summarises a scene for cost estimation.
type SceneInfo struct {
	Shapes       int // shapes that can be hit (spheres, planes, triangles)
	Lights       int // lights, the ambient light included
	Reflective   int // hittable shapes whose finish reflects (refl > 0)
	Transparent  int // hittable shapes whose finish transmits (trans > 0)
	TexmapWidth  int // size of the texture a texmap pigment uses; 0 if none
	TexmapHeight int
}

// Info summarises s.
func (s *Scene) Info() SceneInfo {
	in := SceneInfo{Shapes: len(s.shapes), Lights: len(s.lights)}
	for i := range s.shapes {
		if s.shapes[i].fin.refl > 0 {
			in.Reflective++
		}
		if s.shapes[i].fin.trans > 0 {
			in.Transparent++
		}
	}
	if s.tex != nil {
		in.TexmapWidth, in.TexmapHeight = s.tex.w, s.tex.h
	}
	return in
}

// light is a light source. lights[0] only contributes ambient light; the
// others are point lights with attenuation 1/(a + b*d + c*d*d).
type light struct {
	loc     vec
	color   rgb
	a, b, c float32
}

// finish is a surface finish, as the original's Finish (all float32).
type finish struct {
	amb, diff, spec, shiny, refl, trans, ior float32
}

type pigmentKind uint8

const (
	pigSolid   pigmentKind = iota // also the gradient, which the original renders as its start colour
	pigChecker                    // c1 or c2 by the parity of the cell
	pigTexmap                     // texture lookup through two linear maps
)

type pigment struct {
	kind   pigmentKind
	c1, c2 rgb
	scale  float64    // checker cell size
	s, t   [4]float64 // texmap: s = s0*x + s1*y + s2*z + s3, t likewise
}

type shapeKind uint8

const (
	shapeSphere shapeKind = iota
	shapePlane
	shapeTriangle
)

// shape is a hittable shape. Fields that the original recomputes on every
// intersection from constants are computed once here, with the same
// operations, so they hold the same values.
type shape struct {
	kind shapeKind
	pig  *pigment
	fin  finish

	// sphere
	center vec
	rr     float64 // radius*radius

	// plane a*x + b*y + c*z + d = 0 (a triangle's own plane too)
	a, b, c, d float64
	normal     vec // the normal of a hit, already normalized as the original does

	// triangle
	p1, u, v       vec
	uu, uv, vv, dd float64 // u·u, u·v, v·v, (u·v)² - (u·u)(v·v)
}
