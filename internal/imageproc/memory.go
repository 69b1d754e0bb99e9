package imageproc

import "github.com/specialvfx/vfx/internal/instrument"

// BlurMemory bounds what Blur allocates for a w×h image with o.Threads:
// the three row-blurred planes and the RGBA output (7 bytes a pixel), and
// each thread's row, prefix-sum and accumulator buffers (512 bytes a
// column). A server reserves it before blurring.
func BlurMemory(w, h int, o Options) int64 {
	px := int64(max(w, 0)) * int64(max(h, 0))
	return 7*px + int64(instrument.Workers(o.Threads))*512*int64(max(w, 0))
}

// EnhanceMemory bounds what Enhance allocates for a w×h image with
// o.Threads: the grey plane and the grey output (2 bytes a pixel), and
// each thread's row buffers and column histograms (576 bytes a column).
func EnhanceMemory(w, h int, o Options) int64 {
	px := int64(max(w, 0)) * int64(max(h, 0))
	return 2*px + int64(instrument.Workers(o.Threads))*576*int64(max(w, 0))
}
