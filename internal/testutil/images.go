package testutil

import (
	"fmt"
	"image"
)

// ImagesClose reports whether got is within the ray tracer's golden
// tolerance of want: the same size, no channel of any pixel differing by
// more than 1, and at most 0.1% of the pixels differing by 1. The error
// says what is off.
func ImagesClose(got, want image.Image) error {
	gb, wb := got.Bounds(), want.Bounds()
	if gb.Size() != wb.Size() {
		return fmt.Errorf("size %v, want %v", gb.Size(), wb.Size())
	}
	off := 0
	for y := 0; y < gb.Dy(); y++ {
		for x := 0; x < gb.Dx(); x++ {
			r1, g1, b1, _ := got.At(gb.Min.X+x, gb.Min.Y+y).RGBA()
			r2, g2, b2, _ := want.At(wb.Min.X+x, wb.Min.Y+y).RGBA()
			d := max(absDiff(r1>>8, r2>>8), absDiff(g1>>8, g2>>8), absDiff(b1>>8, b2>>8))
			if d > 1 {
				return fmt.Errorf("pixel (%d,%d) differs by %d (got %d,%d,%d want %d,%d,%d)", x, y, d, r1>>8, g1>>8, b1>>8, r2>>8, g2>>8, b2>>8)
			}
			if d == 1 {
				off++
			}
		}
	}
	if total := gb.Dx() * gb.Dy(); off*1000 > total {
		return fmt.Errorf("%d of %d pixels differ by 1: more than 0.1%%", off, total)
	}
	return nil
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
