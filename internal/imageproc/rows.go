package imageproc

import (
	"image"
	"image/color"
)

// rowReader reads rows of any image.Image as 8-bit, non-premultiplied R, G, B
// samples. The common decoder outputs (YCbCr, RGBA, NRGBA, Gray, Paletted,
// CMYK and their 16-bit variants) are read without allocating; other types
// fall back to image.Image.At. Alpha is ignored, as the original system's
// three-band conversion did.
type rowReader struct {
	img     image.Image
	b       image.Rectangle
	palette [][3]uint8 // for *image.Paletted
}

func newRowReader(img image.Image) *rowReader {
	r := &rowReader{img: img, b: img.Bounds()}
	if p, ok := img.(*image.Paletted); ok {
		r.palette = make([][3]uint8, 256)
		for i, c := range p.Palette {
			if i >= len(r.palette) {
				break
			}
			r.palette[i] = rgb8(c.RGBA())
		}
	}
	return r
}

// rgb8 converts premultiplied 16-bit colour to non-premultiplied 8-bit.
func rgb8(r, g, b, a uint32) [3]uint8 {
	if a == 0xffff {
		return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
	}
	if a == 0 {
		return [3]uint8{}
	}
	return [3]uint8{
		uint8((r * 0xffff / a) >> 8),
		uint8((g * 0xffff / a) >> 8),
		uint8((b * 0xffff / a) >> 8),
	}
}

// unpremul8 un-premultiplies one 8-bit sample.
func unpremul8(c, a uint8) uint8 {
	switch a {
	case 0xff:
		return c
	case 0:
		return 0
	}
	return uint8((uint32(c) * 0x101 * 0xffff / (uint32(a) * 0x101)) >> 8)
}

// rgb writes row y (0-based, relative to the image bounds) into r, g and b,
// each at least as long as the image is wide.
func (rr *rowReader) rgb(y int, r, g, b []uint8) {
	w := rr.b.Dx()
	r, g, b = r[:w], g[:w], b[:w]
	y += rr.b.Min.Y
	x0 := rr.b.Min.X
	switch m := rr.img.(type) {
	case *image.YCbCr:
		for x := range r {
			yi := m.YOffset(x0+x, y)
			ci := m.COffset(x0+x, y)
			r[x], g[x], b[x] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
		}
	case *image.NYCbCrA:
		for x := range r {
			yi := m.YOffset(x0+x, y)
			ci := m.COffset(x0+x, y)
			r[x], g[x], b[x] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
		}
	case *image.RGBA:
		p := m.Pix[m.PixOffset(x0, y):]
		p = p[:4*w]
		for x := range r {
			q := p[4*x : 4*x+4 : 4*x+4]
			a := q[3]
			r[x], g[x], b[x] = unpremul8(q[0], a), unpremul8(q[1], a), unpremul8(q[2], a)
		}
	case *image.NRGBA:
		p := m.Pix[m.PixOffset(x0, y):]
		p = p[:4*w]
		for x := range r {
			q := p[4*x : 4*x+4 : 4*x+4]
			r[x], g[x], b[x] = q[0], q[1], q[2]
		}
	case *image.Gray:
		p := m.Pix[m.PixOffset(x0, y):]
		p = p[:w]
		copy(r, p)
		copy(g, p)
		copy(b, p)
	case *image.Paletted:
		p := m.Pix[m.PixOffset(x0, y):]
		p = p[:w]
		for x, i := range p {
			c := rr.palette[i]
			r[x], g[x], b[x] = c[0], c[1], c[2]
		}
	case *image.CMYK:
		p := m.Pix[m.PixOffset(x0, y):]
		p = p[:4*w]
		for x := range r {
			q := p[4*x : 4*x+4 : 4*x+4]
			r[x], g[x], b[x] = color.CMYKToRGB(q[0], q[1], q[2], q[3])
		}
	case *image.Gray16:
		for x := range r {
			v := m.Gray16At(x0+x, y).Y >> 8
			r[x], g[x], b[x] = uint8(v), uint8(v), uint8(v)
		}
	case *image.RGBA64:
		for x := range r {
			c := m.RGBA64At(x0+x, y)
			s := rgb8(uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A))
			r[x], g[x], b[x] = s[0], s[1], s[2]
		}
	case *image.NRGBA64:
		for x := range r {
			c := m.NRGBA64At(x0+x, y)
			r[x], g[x], b[x] = uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8)
		}
	default:
		for x := range r {
			s := rgb8(rr.img.At(x0+x, y).RGBA())
			r[x], g[x], b[x] = s[0], s[1], s[2]
		}
	}
}

// gray writes the grey value of row y into dst: the sample itself for grey
// images, (r+g+b)/3 with integer division otherwise (BoofCV's conversion).
func (rr *rowReader) gray(y int, dst, r, g, b []uint8) {
	w := rr.b.Dx()
	dst = dst[:w]
	if m, ok := rr.img.(*image.Gray); ok {
		copy(dst, m.Pix[m.PixOffset(rr.b.Min.X, y+rr.b.Min.Y):])
		return
	}
	rr.rgb(y, r, g, b)
	r, g, b = r[:w], g[:w], b[:w]
	for x := range dst {
		dst[x] = uint8((uint32(r[x]) + uint32(g[x]) + uint32(b[x])) / 3)
	}
}
