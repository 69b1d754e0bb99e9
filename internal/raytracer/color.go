package raytracer

// rgb is a java.awt.Color as the original uses it: three float32
// components kept exactly as computed. Colours built from integers (the
// grey background, black, texture pixels) hold v/255. As in vec, products
// are rounded explicitly so that no multiply-add gets fused.
type rgb struct{ r, g, b float32 }

var (
	black      = rgb{}
	background = rgb{128.0 / 255, 128.0 / 255, 128.0 / 255} // java.awt.Color.GRAY
)

// clampf is the original's ColorUtil.clamp, Math.max(0, Math.min(1, x)):
// NaN passes through.
func clampf(x float32) float32 {
	if x != x {
		return x
	}
	if x < 0 {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}

// blend is ColorUtil.blend: per-component clamp(a + b).
func blend(a, b rgb) rgb {
	return rgb{clampf(a.r + b.r), clampf(a.g + b.g), clampf(a.b + b.b)}
}

// mul is ColorUtil.intensify(Color, Color): the component-wise product.
func mul(a, b rgb) rgb { return rgb{float32(a.r * b.r), float32(a.g * b.g), float32(a.b * b.b)} }

// intensify is ColorUtil.intensify(Color, float): c * clamp(f).
func intensify(c rgb, f float32) rgb {
	f = clampf(f)
	return rgb{float32(c.r * f), float32(c.g * f), float32(c.b * f)}
}

// average4 is ColorUtil.average of four colours: sum of c * 0.25f, in order.
func average4(a, b, c, d rgb) rgb {
	const q = float32(0.25)
	var s rgb
	for _, x := range [4]rgb{a, b, c, d} {
		s.r += float32(x.r * q)
		s.g += float32(x.g * q)
		s.b += float32(x.b * q)
	}
	return s
}

// to8 is the 8-bit value java.awt.Color stores for a float component:
// (int)((double)(f*255f) + 0.5), NaN giving 0.
func to8(f float32) uint8 {
	v := float64(f*255) + 0.5
	if v != v || v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// byteTo is the float component of an integer colour component.
var byteTo = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()
