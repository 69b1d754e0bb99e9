package probe

import (
	"image"

	"github.com/specialvfx/vfx/internal/imageproc"
)

// Enhance estimates the enhance workload's units on img: the part that
// depends on the image's size exactly, plus the units of up to o.Rows of
// its rows (the window histogram's segments kept current with the row's
// grey values, and the bins counted per pixel; one row at the middle of
// each of o.Rows bands of rows), scaled by each band's height. The cost
// follows how many grey-level segments meet along the rows within the
// window's width, a property of the full-resolution rows, so rows are
// sampled whole. An image of no more rows than the budget is counted
// exactly.
func Enhance(img image.Image, o Options) Result {
	o = o.withDefaults()
	g := imageproc.NewGrayRows(img)
	w, h := g.Size()
	if w <= 0 || h <= 0 {
		return Result{Exact: true}
	}
	row := make([]uint8, w)
	n := min(h, o.Rows)
	total := float64(imageproc.EnhanceFixedUnits(w, h))
	var spent int64
	for j := range n {
		y0, y1 := j*h/n, (j+1)*h/n
		g.Row((y0+y1-1)/2, row)
		u := imageproc.EnhanceRowUnits(row)
		spent += u
		total += float64(u) * float64(y1-y0)
	}
	return Result{Units: total, Samples: n, Spent: spent, Exact: n == h}
}
