package codec

import (
	"errors"
	"fmt"
	"image"
)

// output runs the IDCT on every block and converts the component planes to
// an image: *image.Gray for one component, an opaque *image.RGBA for YCbCr.
func (d *jpegDecoder) output() (image.Image, error) {
	if len(d.comps) == 3 {
		rgbIDs := d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B'
		if d.adobe && d.transform == 0 || !d.jfif && !d.adobe && rgbIDs {
			return nil, fmt.Errorf("%w: RGB colour space", errJPEGUnsupported)
		}
	}
	planes := make([][]uint8, len(d.comps))
	for i := range d.comps {
		c := &d.comps[i]
		if c.q == nil {
			if d.qt[c.tq] == nil {
				return nil, errors.New("component without quantization table")
			}
			c.q = d.qt[c.tq]
		}
		stride := c.bw * 8
		p := make([]uint8, stride*c.bh*8)
		for by := 0; by < c.bh; by++ {
			for bx := 0; bx < c.bw; bx++ {
				idctISLOW(&c.coef[by*c.bw+bx], c.q, p[by*8*stride+bx*8:], stride)
			}
		}
		c.coef = nil // let the coefficients go
		planes[i] = p
	}
	w, h := d.width, d.height
	if len(d.comps) == 1 {
		g := image.NewGray(image.Rect(0, 0, w, h))
		stride := d.comps[0].bw * 8
		for y := 0; y < h; y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+w], planes[0][y*stride:])
		}
		return g, nil
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rowLen := w + 2*d.maxH // room for a doubled row past the image edge
	rows := [3][]uint8{make([]uint8, rowLen), make([]uint8, rowLen), make([]uint8, rowLen)}
	for y := 0; y < h; y++ {
		for i := range d.comps {
			c := &d.comps[i]
			hf, vf := d.maxH/c.h, d.maxV/c.v
			dw := ceilDiv(w*c.h, d.maxH)
			dh := ceilDiv(h*c.v, d.maxV)
			fancy := dw > 2 && hf == 2 && (vf == 1 || vf == 2)
			upsampleRow(rows[i], w, planes[i], c.bw*8, dw, dh, hf, vf, y, fancy)
		}
		yr := rows[0][:w]
		cb, cr := rows[1][:len(yr)], rows[2][:len(yr)]
		pix := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range yr {
			yy := int32(yr[x])
			p := pix[4*x : 4*x+4 : 4*x+4]
			p[0] = clamp8(yy + crR[cr[x]])
			p[1] = clamp8(yy + (cbG[cb[x]]+crG[cr[x]])>>16)
			p[2] = clamp8(yy + cbB[cb[x]])
			p[3] = 0xff
		}
	}
	return img, nil
}
