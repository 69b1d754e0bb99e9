package imageproc

import (
	"context"
	"fmt"
	"image"

	"github.com/specialvfx/vfx/internal/instrument"
)

// enhanceStrip is the number of rows per equalisation task. It is fixed (not
// derived from the thread count) so that the work, and so the units, are the
// same on any number of threads.
const enhanceStrip = 128

// Enhance applies the original system's local histogram equalisation to img
// and returns a new grey image of the same size, with bounds at (0, 0).
//
// The image is first converted to grey: (r+g+b)/3 with integer division, or
// the sample itself for grey images. Each output pixel at (x, y) with grey
// value v is then cdf(v)*255/N with integer division, where cdf(v) counts the
// pixels of value ≤ v inside a window of 101×101 pixels centred on (x, y) and
// shifted, not cropped, to lie inside the image, and N is the number of pixels
// in the window. A window is cropped only along a dimension in which the image
// is smaller than 101; if both are, this is global histogram equalisation
// (BoofCV EnhanceImageOps.equalizeLocal with radius EnhanceRadius).
//
// Column histograms slide down the image and a coarse/fine window histogram
// slides along each row, so the cost per pixel does not grow with the window.
func Enhance(ctx context.Context, img image.Image, o Options) (*image.Gray, Stats, error) {
	w, h, err := checkInput(img, o)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("enhance: %w", err)
	}
	g := make([]uint8, w*h)
	out := image.NewGray(image.Rect(0, 0, w, h))
	rr := newRowReader(img)
	nw := instrument.Workers(o.Threads)
	scratch := make([][]uint8, nw)

	cpu1, err := instrument.Tasks(ctx, o.Threads, strips(h, blurStrip), func(worker, task int) {
		if scratch[worker] == nil {
			scratch[worker] = make([]uint8, 3*w)
		}
		s := scratch[worker]
		y0, y1 := stripRows(task, blurStrip, h)
		for y := y0; y < y1; y++ {
			rr.gray(y, g[y*w:y*w+w], s[:w], s[w:2*w], s[2*w:])
		}
	})
	if err != nil {
		return nil, Stats{CPU: cpu1}, fmt.Errorf("enhance: %w", err)
	}

	states := make([]*equaliser, nw)
	units := make([]int64, nw)
	cpu2, err := instrument.Tasks(ctx, o.Threads, strips(h, enhanceStrip), func(worker, task int) {
		if states[worker] == nil {
			states[worker] = newEqualiser(w, h)
		}
		y0, y1 := stripRows(task, enhanceStrip, h)
		units[worker] += states[worker].strip(g, out.Pix, y0, y1)
	})
	st := Stats{Units: sum64(units), CPU: cpu1 + cpu2}
	if err != nil {
		return nil, st, fmt.Errorf("enhance: %w", err)
	}
	return out, st, nil
}

// windowStart is the first index of the window of size win around i, shifted
// to lie inside [0, n).
func windowStart(i, n, win int) int {
	return min(max(i-EnhanceRadius, 0), n-win)
}

// Histogram layout. The 256 grey levels form 16 blocks ("segments") of 16
// fine bins; a coarse histogram counts pixels per block. Counts are packed as
// 16-bit lanes, four to a uint64, so adding one histogram to another is a few
// word additions. No lane overflows: a column histogram holds at most 101
// pixels and the window histogram at most 101×101 = 10201.
const (
	segments     = 16
	wordsPerSeg  = 4 // 16 bins / 4 lanes
	coarseWords  = 4 // 16 blocks / 4 lanes
	laneSumMagic = 0x0001000100010001
)

// equaliser holds one worker's histograms; it is reused across strips.
type equaliser struct {
	w, h, ww, wh int
	div          divider // by the window area
	// colF holds the fine column histograms, segment-major: the four words
	// of segment s of column x are at (s*w+x)*4.
	colF []uint64
	// colC holds the coarse column histograms, four words per column.
	colC   []uint64
	coarse [coarseWords]uint64
	fine   [segments * wordsPerSeg]uint64
	// segAt[s] is the window start for which fine segment s is current, or
	// -1 if it must be rebuilt.
	segAt [segments]int
}

func newEqualiser(w, h int) *equaliser {
	ww, wh := min(w, 2*EnhanceRadius+1), min(h, 2*EnhanceRadius+1)
	return &equaliser{
		w: w, h: h, ww: ww, wh: wh,
		div:  newDivider(uint32(ww * wh)),
		colF: make([]uint64, segments*w*wordsPerSeg),
		colC: make([]uint64, w*coarseWords),
	}
}

// strip equalises rows [y0, y1) of the w×h grey image g into out and returns
// the units it spent.
func (e *equaliser) strip(g, out []uint8, y0, y1 int) int64 {
	w, h, wh := e.w, e.h, e.wh
	var units int64
	clear(e.colF)
	clear(e.colC)
	top := windowStart(y0, h, wh)
	for j := top; j < top+wh; j++ {
		e.addRow(g[j*w : j*w+w])
	}
	units += int64(wh) * int64(w)
	for y := y0; y < y1; y++ {
		for next := windowStart(y, h, wh); top < next; top++ {
			e.slideDown(g[top*w:top*w+w], g[(top+wh)*w:(top+wh)*w+w])
			units += 2 * int64(w)
		}
		units += e.row(g[y*w:y*w+w], out[y*w:y*w+w])
	}
	return units
}

// addRow adds one image row to the column histograms.
func (e *equaliser) addRow(row []uint8) {
	w := e.w
	row = row[:w]
	for x, v := range row {
		f := (int(v>>4)*w+x)*wordsPerSeg + int(v>>2&3)
		e.colF[f] += 1 << (16 * (v & 3))
		b := v >> 4
		e.colC[x*coarseWords+int(b>>2)] += 1 << (16 * (b & 3))
	}
}

// slideDown moves the column histograms one row down: the pixels of row
// leave and those of enter come in.
func (e *equaliser) slideDown(leave, enter []uint8) {
	w := e.w
	leave, enter = leave[:w], enter[:w]
	for x := range leave {
		v := leave[x]
		e.colF[(int(v>>4)*w+x)*wordsPerSeg+int(v>>2&3)] -= 1 << (16 * (v & 3))
		b := v >> 4
		e.colC[x*coarseWords+int(b>>2)] -= 1 << (16 * (b & 3))
		v = enter[x]
		e.colF[(int(v>>4)*w+x)*wordsPerSeg+int(v>>2&3)] += 1 << (16 * (v & 3))
		b = v >> 4
		e.colC[x*coarseWords+int(b>>2)] += 1 << (16 * (b & 3))
	}
}

// row equalises one image row using the current column histograms.
func (e *equaliser) row(src, dst []uint8) int64 {
	w, ww := e.w, e.ww
	src, dst = src[:w], dst[:w]
	var units int64
	e.coarse = [coarseWords]uint64{}
	for c := 0; c < ww; c++ {
		col := e.colC[c*coarseWords : c*coarseWords+coarseWords : c*coarseWords+coarseWords]
		e.coarse[0] += col[0]
		e.coarse[1] += col[1]
		e.coarse[2] += col[2]
		e.coarse[3] += col[3]
	}
	units += int64(segments) * int64(ww)
	for s := range e.segAt {
		e.segAt[s] = -1
	}
	cur := 0
	for x, v := range src {
		if windowStart(x, w, ww) != cur {
			in := e.colC[(cur+ww)*coarseWords : (cur+ww)*coarseWords+coarseWords]
			outC := e.colC[cur*coarseWords : cur*coarseWords+coarseWords]
			e.coarse[0] = e.coarse[0] + in[0] - outC[0]
			e.coarse[1] = e.coarse[1] + in[1] - outC[1]
			e.coarse[2] = e.coarse[2] + in[2] - outC[2]
			e.coarse[3] = e.coarse[3] + in[3] - outC[3]
			cur++
			units += 2 * segments
		}
		s := int(v >> 4)
		if e.segAt[s] != cur {
			units += e.syncSegment(s, cur)
		}
		cnt := e.countUpTo(v)
		units += int64(s) + int64(v&15) + 1
		dst[x] = uint8(e.div.div(cnt * 255))
	}
	return units
}

// syncSegment brings fine segment s of the window histogram up to the window
// starting at column cur, incrementally or by rebuilding it, whichever is
// cheaper.
func (e *equaliser) syncSegment(s, cur int) int64 {
	w, ww := e.w, e.ww
	f := e.fine[s*wordsPerSeg : s*wordsPerSeg+wordsPerSeg : s*wordsPerSeg+wordsPerSeg]
	base := s * w * wordsPerSeg
	from := e.segAt[s]
	e.segAt[s] = cur
	if from < 0 || 2*(cur-from) > ww {
		var f0, f1, f2, f3 uint64
		cols := e.colF[base+cur*wordsPerSeg : base+(cur+ww)*wordsPerSeg]
		for i := 0; i+3 < len(cols); i += 4 {
			f0 += cols[i]
			f1 += cols[i+1]
			f2 += cols[i+2]
			f3 += cols[i+3]
		}
		f[0], f[1], f[2], f[3] = f0, f1, f2, f3
		return int64(segments) * int64(ww)
	}
	for c := from; c < cur; c++ {
		in := e.colF[base+(c+ww)*wordsPerSeg : base+(c+ww)*wordsPerSeg+wordsPerSeg]
		out := e.colF[base+c*wordsPerSeg : base+c*wordsPerSeg+wordsPerSeg]
		f[0] = f[0] + in[0] - out[0]
		f[1] = f[1] + in[1] - out[1]
		f[2] = f[2] + in[2] - out[2]
		f[3] = f[3] + in[3] - out[3]
	}
	return 2 * int64(segments) * int64(cur-from)
}

// countUpTo returns the number of window pixels with a value ≤ v. Fine
// segment v>>4 must be current.
func (e *equaliser) countUpTo(v uint8) uint32 {
	s, t := int(v>>4), int(v&15)
	var n uint64
	// Coarse blocks below s.
	for i := 0; i < s>>2; i++ {
		n += laneSum(e.coarse[i])
	}
	n += laneSum(e.coarse[s>>2] & lowLanes(s&3))
	// Fine bins of segment s up to t.
	f := e.fine[s*wordsPerSeg : s*wordsPerSeg+wordsPerSeg : s*wordsPerSeg+wordsPerSeg]
	for i := 0; i < t>>2; i++ {
		n += laneSum(f[i])
	}
	n += laneSum(f[t>>2] & lowLanes(t&3+1))
	return uint32(n)
}

// laneSum adds the four 16-bit lanes of x (their sum must fit in 16 bits).
func laneSum(x uint64) uint64 { return (x * laneSumMagic) >> 48 }

// lowLanes masks the lowest k 16-bit lanes (k in [0, 4]).
func lowLanes(k int) uint64 { return (uint64(1) << (16 * uint(k))) - 1 }
