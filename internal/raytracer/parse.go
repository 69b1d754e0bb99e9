package raytracer

import (
	"fmt"
	"math"
)

// ParseScene reads a scene in the original's text format:
//
//	eye x y z / look-at x y z / up x y z / fovy (degrees)
//	nLights, then per light: x y z  r g b  a b c   (light 0 is the ambient light)
//	nPigments, then per pigment one of:
//	    solid r g b
//	    checker r1 g1 b1  r2 g2 b2  scale
//	    gradient ox oy oz  vx vy vz  r1 g1 b1  r2 g2 b2   (renders its start colour)
//	    texmap FILENAME  sa sb sc sd  ta tb tc td         (FILENAME is ignored; the texture is texmap)
//	nFinishes, then per finish: amb diff spec shiny refl trans ior
//	nShapes, then per shape: PIGMENT FINISH TYPE params, TYPE one of
//	    sphere cx cy cz r | plane a b c d | triangle p1 p2 p3
//	    and, read but never hit as in the original: cylinder base axis r,
//	    cone apex axis r, disc center normal r, polyhedron n (a b c d)×n,
//	    parallelogram p1 p2 p3, bezier p1..p16
//
// Tokens are separated by any whitespace; tokens after the last shape are
// ignored. Colours are clamped to [0, 1]. texmap holds the encoded texture
// (BMP, PNG, JPEG or GIF) for texmap pigments, or nil; it is only decoded
// when a pigment uses it.
//
// Unlike the original, a scene without lights, with NaN or infinite
// numbers, or above lim is refused. Errors name the line and the token.
//
// ParseScene is ParseSceneHeader with the texture's header, then
// Scene.DecodeTexture.
func ParseScene(src []byte, texmap []byte, lim Limits) (*Scene, error) {
	s, err := ParseSceneHeader(src, headerOf(texmap), lim)
	if err != nil {
		return nil, err
	}
	if err := s.DecodeTexture(texmap); err != nil {
		return nil, err
	}
	return s, nil
}

// ParseSceneHeader parses a scene as ParseScene does, with the same checks
// and errors, but knows the texture only by its header (tex, read with
// ReadTexmapHeader; nil when the request has no texture): a texmap pigment
// checks the texture's format and size against lim, and no pixel is
// decoded. The scene it returns has the texture's size (Info) and can be
// rendered once DecodeTexture has decoded the texture's pixels. The load
// balancer parses scenes this way, to route them without ever holding a
// texture's pixels.
func ParseSceneHeader(src []byte, tex *TexmapHeader, lim Limits) (*Scene, error) {
	if err := CheckSceneSize(len(src), lim); err != nil {
		return nil, err
	}
	p := &parser{tk: newTokenizer(src), texmap: tex, lim: lim}
	s, err := p.scene()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// CheckSceneSize refuses a scene text of n bytes above lim.MaxSceneBytes
// with the error ParseScene gives, so that a caller can refuse it before
// it holds the text.
func CheckSceneSize(n int, lim Limits) error {
	if n > lim.MaxSceneBytes {
		return fmt.Errorf("%w: %w: scene is %d bytes, above the limit of %d", ErrScene, ErrLimit, n, lim.MaxSceneBytes)
	}
	return nil
}

type parser struct {
	tk     *tokenizer
	texmap *TexmapHeader
	lim    Limits
	tex    *texture
}

func (p *parser) scene() (*Scene, error) {
	tk := p.tk
	s := &Scene{}
	var err error
	if s.eye, err = tk.vec(name("eye")); err != nil {
		return nil, err
	}
	if s.center, err = tk.vec(name("look-at point")); err != nil {
		return nil, err
	}
	if s.up, err = tk.vec(name("up vector")); err != nil {
		return nil, err
	}
	if s.fovy, err = tk.float64(name("fovy")); err != nil {
		return nil, err
	}

	n, err := tk.count(name("number of lights"), p.lim.MaxLights)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, tk.errf("a scene needs at least one light (light 0 is the ambient light)")
	}
	for i := 0; i < n; i++ {
		l, err := p.light(i)
		if err != nil {
			return nil, err
		}
		s.lights = append(s.lights, l)
	}

	if n, err = tk.count(name("number of pigments"), math.MaxInt32); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		pg, err := p.pigment(i)
		if err != nil {
			return nil, err
		}
		s.pigments = append(s.pigments, pg)
	}

	if n, err = tk.count(name("number of finishes"), math.MaxInt32); err != nil {
		return nil, err
	}
	finishes := make([]finish, 0, min(n, 64))
	for i := 0; i < n; i++ {
		var f finish
		for j, fp := range [7]*float32{&f.amb, &f.diff, &f.spec, &f.shiny, &f.refl, &f.trans, &f.ior} {
			names := [7]string{" amb", " diff", " spec", " shiny", " refl", " trans", " ior"}
			if *fp, err = tk.float32(numbered("finish", i).field(names[j])); err != nil {
				return nil, err
			}
		}
		finishes = append(finishes, f)
	}

	if n, err = tk.count(name("number of shapes"), p.lim.MaxShapes); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		sh, hittable, err := p.shape(i, s.pigments, finishes)
		if err != nil {
			return nil, err
		}
		if hittable {
			s.shapes = append(s.shapes, sh)
		}
	}
	s.tex = p.tex
	return s, nil
}

func (p *parser) light(i int) (light, error) {
	tk := p.tk
	var l light
	var err error
	what := numbered("light", i)
	if l.loc, err = tk.vec(what.field(" position")); err != nil {
		return l, err
	}
	if l.color, err = tk.color(what.field(" colour")); err != nil {
		return l, err
	}
	for j, ap := range [3]*float32{&l.a, &l.b, &l.c} {
		if *ap, err = tk.float32(what.letter(" attenuation ", j)); err != nil {
			return l, err
		}
	}
	return l, nil
}

func (p *parser) pigment(i int) (pigment, error) {
	tk := p.tk
	what := numbered("pigment", i)
	name, err := tk.next(what.field(" type"))
	if err != nil {
		return pigment{}, err
	}
	var pg pigment
	switch name {
	case "solid":
		pg.kind = pigSolid
		pg.c1, err = tk.color(what)
	case "checker":
		pg.kind = pigChecker
		if pg.c1, err = tk.color(what.field(" colour 1")); err != nil {
			return pg, err
		}
		if pg.c2, err = tk.color(what.field(" colour 2")); err != nil {
			return pg, err
		}
		pg.scale, err = tk.float64(what.field(" scale"))
	case "gradient":
		pg.kind = pigSolid
		if _, err = tk.vec(what.field(" origin")); err != nil {
			return pg, err
		}
		if _, err = tk.vec(what.field(" vector")); err != nil {
			return pg, err
		}
		if pg.c1, err = tk.color(what.field(" start colour")); err != nil {
			return pg, err
		}
		_, err = tk.color(what.field(" end colour"))
	case "texmap":
		pg.kind = pigTexmap
		if _, err = tk.next(what.field(" file name")); err != nil {
			return pg, err
		}
		if p.texmap == nil {
			return pg, &sceneError{line: tk.tokLine, token: name, also: ErrNeedsTexmap,
				msg: fmt.Sprintf("scene needs a texmap: pigment %d is texmap but the request has none", i)}
		}
		for j := range pg.s {
			if pg.s[j], err = tk.float64(what.nth(" s", j)); err != nil {
				return pg, err
			}
		}
		for j := range pg.t {
			if pg.t[j], err = tk.float64(what.nth(" t", j)); err != nil {
				return pg, err
			}
		}
		if p.tex == nil {
			if p.tex, err = p.texmap.texture(p.lim); err != nil {
				return pg, err
			}
		}
	default:
		return pg, tk.errf("unrecognized pigment (want solid, checker, gradient or texmap)")
	}
	return pg, err
}

func (p *parser) shape(i int, pigments []pigment, finishes []finish) (shape, bool, error) {
	tk := p.tk
	what := numbered("shape", i)
	var sh shape
	pi, err := tk.int(what.field(" pigment index"))
	if err != nil {
		return sh, false, err
	}
	if pi < 0 || pi >= len(pigments) {
		return sh, false, tk.errf("%s: pigment index out of range (the scene has %d pigments)", what, len(pigments))
	}
	fi, err := tk.int(what.field(" finish index"))
	if err != nil {
		return sh, false, err
	}
	if fi < 0 || fi >= len(finishes) {
		return sh, false, tk.errf("%s: finish index out of range (the scene has %d finishes)", what, len(finishes))
	}
	sh.pig, sh.fin = &pigments[pi], finishes[fi]

	name, err := tk.next(what.field(" type"))
	if err != nil {
		return sh, false, err
	}
	switch name {
	case "sphere":
		c, err := tk.vec(what.field(" centre"))
		if err != nil {
			return sh, false, err
		}
		r, err := tk.float64(what.field(" radius"))
		if err != nil {
			return sh, false, err
		}
		sh.kind, sh.center, sh.rr = shapeSphere, c, r*r
		return sh, true, nil
	case "plane":
		var abcd [4]float64
		for j := range abcd {
			if abcd[j], err = tk.float64(what.letter(" ", j)); err != nil {
				return sh, false, err
			}
		}
		sh.kind = shapePlane
		sh.setPlane(abcd[0], abcd[1], abcd[2], abcd[3])
		return sh, true, nil
	case "triangle":
		var pts [3]vec
		for j := range pts {
			if pts[j], err = tk.vec(what.nth(" point ", j+1)); err != nil {
				return sh, false, err
			}
		}
		sh.kind = shapeTriangle
		sh.setTriangle(pts[0], pts[1], pts[2])
		return sh, true, nil
	case "cylinder", "cone", "disc":
		if _, err = tk.vec(what.field(" point")); err != nil {
			return sh, false, err
		}
		if _, err = tk.vec(what.field(" vector")); err != nil {
			return sh, false, err
		}
		_, err = tk.float64(what.field(" radius"))
		return sh, false, err
	case "polyhedron":
		faces, err := tk.count(what.field(" number of faces"), math.MaxInt32)
		if err != nil {
			return sh, false, err
		}
		for f := 0; f < 4*faces; f++ {
			if _, err = tk.float64(what.nth(" face ", f/4)); err != nil {
				return sh, false, err
			}
		}
		return sh, false, nil
	case "parallelogram", "bezier":
		n := 3
		if name == "bezier" {
			n = 16
		}
		for j := 0; j < n; j++ {
			if _, err = tk.vec(what.nth(" point ", j+1)); err != nil {
				return sh, false, err
			}
		}
		return sh, false, nil
	}
	return sh, false, tk.errf("unrecognized shape (want sphere, plane, triangle, cylinder, cone, disc, polyhedron, parallelogram or bezier)")
}

// setPlane sets the plane a*x + b*y + c*z + d = 0. A hit's normal is the
// original's: the plane's normal normalized once more by RayHit.
func (sh *shape) setPlane(a, b, c, d float64) {
	sh.a, sh.b, sh.c, sh.d = a, b, c, d
	sh.normal = vec{a, b, c}.normalize().normalize()
}

// setTriangle follows the original's Triangle: the plane through p1 with
// the normalized normal (u × v), and a hit normal normalized twice more
// (by the plane's RayHit, then the triangle's).
func (sh *shape) setTriangle(p1, p2, p3 vec) {
	u, v := p2.sub(p1), p3.sub(p1)
	n := u.cross(v).normalize()
	d := float64(p1.x*n.x) + float64(p1.y*n.y) + float64(p1.z*n.z)
	sh.setPlane(n.x, n.y, n.z, -d)
	sh.normal = sh.normal.normalize()
	sh.p1, sh.u, sh.v = p1, u, v
	sh.uu, sh.uv, sh.vv = u.dot(u), u.dot(v), v.dot(v)
	sh.dd = float64(sh.uv*sh.uv) - float64(sh.uu*sh.vv)
}
