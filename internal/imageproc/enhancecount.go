package imageproc

import "image"

// GrayRows reads the rows of an image as the grey values Enhance
// equalises. It is not safe for concurrent use.
type GrayRows struct {
	rr      *rowReader
	w, h    int
	scratch []uint8
}

// NewGrayRows returns a reader of img's grey rows.
func NewGrayRows(img image.Image) *GrayRows {
	b := img.Bounds()
	return &GrayRows{rr: newRowReader(img), w: b.Dx(), h: b.Dy(), scratch: make([]uint8, 3*b.Dx())}
}

// Size is the image's width and height.
func (g *GrayRows) Size() (w, h int) { return g.w, g.h }

// Row writes row y (0-based) into dst, at least as long as the image is
// wide.
func (g *GrayRows) Row(y int, dst []uint8) {
	s := g.scratch
	g.rr.gray(y, dst[:g.w], s[:g.w], s[g.w:2*g.w], s[2*g.w:])
}

// EnhanceFixedUnits is the part of Enhance's units on a w×h image that
// depends on its size alone: building and sliding the column histograms
// down each strip of rows. Enhance's units are EnhanceFixedUnits plus
// EnhanceRowUnits of every row.
func EnhanceFixedUnits(w, h int) int64 {
	if w <= 0 || h <= 0 {
		return 0
	}
	wh := min(h, 2*EnhanceRadius+1)
	var units int64
	for y0 := 0; y0 < h; y0 += enhanceStrip {
		y1 := min(y0+enhanceStrip, h)
		units += int64(wh)*int64(w) + 2*int64(w)*int64(windowStart(y1-1, h, wh)-windowStart(y0, h, wh))
	}
	return units
}

// EnhanceRowUnits is the units Enhance counts equalising one row of grey
// values (the whole row of the image): the window histogram sliding along
// it, its segments kept current with the row's values, and the bins
// counted per pixel. segAt is scratch of 16 entries.
func EnhanceRowUnits(row []uint8) int64 {
	w := len(row)
	ww := min(w, 2*EnhanceRadius+1)
	var segAt [segments]int
	for s := range segAt {
		segAt[s] = -1
	}
	units := int64(segments) * int64(ww)
	cur := 0
	for x, v := range row {
		if windowStart(x, w, ww) != cur {
			cur++
			units += 2 * segments
		}
		s := int(v >> 4)
		if from := segAt[s]; from != cur {
			segAt[s] = cur
			if from < 0 || 2*(cur-from) > ww {
				units += int64(segments) * int64(ww)
			} else {
				units += 2 * int64(segments) * int64(cur-from)
			}
		}
		units += int64(s) + int64(v&15) + 1
	}
	return units
}
