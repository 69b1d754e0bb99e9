package imageproc

import (
	"context"
	"fmt"
	"image"

	"github.com/specialvfx/vfx/internal/instrument"
)

// Rows per task in the two passes of Blur. The vertical pass keeps column
// prefix sums for its rows plus 2*BlurRadius+1 more, so taller strips waste
// less work on the margins but use more memory per worker.
const (
	blurStrip  = 16
	blurVStrip = 32
)

// Blur applies the original system's Gaussian blur to img and returns a new
// opaque RGBA image of the same size, with bounds starting at (0, 0).
//
// Each of the R, G and B channels is convolved with BoofCV's 65-tap integer
// Gaussian kernel (radius BlurRadius, sigma 13), first along rows, then along
// columns of the row result, which is rounded back to 8 bits in between
// (ConvolveImageNormalized.horizontal then .vertical). Every output sample is
// (Σ k·v + w/2) / w in integer arithmetic, where the sum runs over the taps
// that fall inside the image and w is the sum of those taps, so borders are
// renormalised rather than padded.
func Blur(ctx context.Context, img image.Image, o Options) (*image.RGBA, Stats, error) {
	w, h, err := checkInput(img, o)
	if err != nil {
		return nil, Stats{}, fmt.Errorf("blur: %w", err)
	}
	n := w * h
	tmp := make([]uint8, 3*n) // row-blurred planes R, G, B
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	rr := newRowReader(img)
	nw := instrument.Workers(o.Threads)
	units := make([]int64, nw)
	ws := make([]*blurScratch, nw)
	scratch := func(worker int) *blurScratch {
		if ws[worker] == nil {
			ws[worker] = &blurScratch{}
		}
		return ws[worker]
	}
	rowTaps := tapSum(w, BlurRadius)

	// Pass 1: convert rows to 8-bit planes and blur them horizontally.
	cpu1, err := instrument.Tasks(ctx, o.Threads, strips(h, blurStrip), func(worker, task int) {
		s := scratch(worker)
		line := grow(&s.line, 3*w)
		rs, gs, bs := line[:w], line[w:2*w], line[2*w:]
		y0, y1 := stripRows(task, blurStrip, h)
		for y := y0; y < y1; y++ {
			rr.rgb(y, rs, gs, bs)
			off := y * w
			s.blurLine(tmp[off:off+w], rs)
			s.blurLine(tmp[n+off:n+off+w], gs)
			s.blurLine(tmp[2*n+off:2*n+off+w], bs)
		}
		units[worker] += 3 * int64(y1-y0) * rowTaps
	})
	if err != nil {
		return nil, Stats{CPU: cpu1}, fmt.Errorf("blur: %w", err)
	}

	// Pass 2: blur the columns of the row result into the output.
	cpu2, err := instrument.Tasks(ctx, o.Threads, strips(h, blurVStrip), func(worker, task int) {
		s := scratch(worker)
		y0, y1 := stripRows(task, blurVStrip, h)
		for c := 0; c < 3; c++ {
			s.blurColumns(out, c, tmp[c*n:(c+1)*n], w, h, y0, y1)
		}
		for y := y0; y < y1; y++ {
			setOpaque(out.Pix[y*out.Stride : y*out.Stride+4*w])
			units[worker] += 3 * int64(w) * int64(taps(y, h, BlurRadius))
		}
	})
	st := Stats{Units: sum64(units), CPU: cpu1 + cpu2}
	if err != nil {
		return nil, st, fmt.Errorf("blur: %w", err)
	}
	return out, st, nil
}

// blurScratch is one worker's reusable buffers.
type blurScratch struct {
	line   []uint8 // one input row, three channels
	out    []uint8 // one output row of one channel
	prefix []int32 // prefix sums: of a row, or of columns over a strip
	acc    []int32
}

// grow returns (*buf)[:n], reallocating if needed.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// taps is the number of kernel taps of radius r that fall inside [0, n) for
// the output sample at i.
func taps(i, n, r int) int {
	return min(i+r, n-1) - max(i-r, 0) + 1
}

// tapSum is the number of in-bounds taps over a whole line of n samples.
func tapSum(n, r int) int64 {
	var s int64
	for i := 0; i < n; i++ {
		s += int64(taps(i, n, r))
	}
	return s
}

// blurLine convolves one line of samples with the Gaussian kernel into dst,
// renormalising at both ends.
func (s *blurScratch) blurLine(dst, src []uint8) {
	const r = BlurRadius
	n := len(src)
	dst = dst[:n]
	k := gaussKernel
	inner0, inner1 := r, n-r // outputs whose taps are all inside
	if inner1 <= inner0 {
		inner0, inner1 = n, n
	}
	// Borders: the truncated kernel, renormalised.
	for x := 0; x < n; x++ {
		if x == inner0 {
			x = inner1
			if x >= n {
				break
			}
		}
		lo, hi := max(x-r, 0), min(x+r, n-1)
		var t int32
		for i := lo; i <= hi; i++ {
			t += k[i-x+r] * int32(src[i])
		}
		wt := gaussPrefix[hi-x+r+1] - gaussPrefix[lo-x+r]
		dst[x] = uint8((t + wt/2) / wt)
	}
	if inner1 <= inner0 {
		return
	}
	// Interior: a sum of nested box sums over the row's prefix sums.
	p := grow(&s.prefix, n+1)
	p[0] = 0
	var run int32
	for i, v := range src {
		run += int32(v)
		p[i+1] = run
	}
	div := gaussDivider
	half := uint32(gaussSum / 2)
	for x := inner0; x < inner1; x++ {
		t := gaussAt((*[2*r + 2]int32)(p[x-r : x+r+2]))
		dst[x] = uint8(div.div(uint32(t) + half))
	}
}

var gaussDivider = newDivider(uint32(gaussSum))

// blurColumns computes rows [y0, y1) of channel c of out from plane p (w×h,
// row-major, already blurred along rows), renormalising near the top and
// bottom.
//
// BoofCV divides the interior rows by multiplying with the float64 reciprocal
// of the kernel sum; for this kernel and 8-bit inputs that equals the exact
// integer division (a test checks every possible sum), so one rounding rule
// serves every row.
func (s *blurScratch) blurColumns(out *image.RGBA, c int, p []uint8, w, h, y0, y1 int) {
	const r = BlurRadius
	line := grow(&s.out, w)
	// Interior rows, whose taps are all inside the image.
	i0, i1 := max(y0, r), min(y1, h-r)
	if i0 < i1 {
		// Column prefix sums over rows [base, i1+r): pre[k] = Σ rows base..base+k-1.
		base := i0 - r
		rows := i1 + r - base
		pre := grow(&s.prefix, (rows+1)*w)
		clear(pre[:w])
		for k := 0; k < rows; k++ {
			prev := pre[k*w : k*w+w]
			next := pre[(k+1)*w : (k+1)*w+w]
			src := p[(base+k)*w : (base+k)*w+w]
			next, src = next[:len(prev)], src[:len(prev)]
			for x := range prev {
				next[x] = prev[x] + int32(src[x])
			}
		}
		a := grow(&s.acc, w)
		div := gaussDivider
		half := uint32(gaussSum / 2)
		for y := i0; y < i1; y++ {
			k := y - base
			row := func(j int) []int32 { return pre[j*w : j*w+w][:len(a)] }
			levels := gaussLevels
			if len(levels) < 4 {
				clear(a)
			}
			// Four levels per sweep over the accumulator row.
			for i := 0; i+3 < len(levels); i += 4 {
				h0, l0 := row(k+levels[i]+1), row(k-levels[i])
				h1, l1 := row(k+levels[i+1]+1), row(k-levels[i+1])
				h2, l2 := row(k+levels[i+2]+1), row(k-levels[i+2])
				h3, l3 := row(k+levels[i+3]+1), row(k-levels[i+3])
				if i == 0 {
					for x := range a {
						a[x] = h0[x] - l0[x] + h1[x] - l1[x] + h2[x] - l2[x] + h3[x] - l3[x]
					}
					continue
				}
				for x := range a {
					a[x] += h0[x] - l0[x] + h1[x] - l1[x] + h2[x] - l2[x] + h3[x] - l3[x]
				}
			}
			for _, d := range levels[len(levels)/4*4:] {
				hi, lo := row(k+d+1), row(k-d)
				for x := range a {
					a[x] += hi[x] - lo[x]
				}
			}
			for x := range a {
				line[x] = uint8(div.div(uint32(a[x]) + half))
			}
			interleave(out.Pix[y*out.Stride:y*out.Stride+4*w], line, c)
		}
	}
	// Border rows: the truncated kernel, renormalised.
	for y := y0; y < y1; y++ {
		if y >= i0 && y < i1 {
			continue
		}
		s.blurBorderRow(line, p, w, h, y)
		interleave(out.Pix[y*out.Stride:y*out.Stride+4*w], line, c)
	}
}

// blurBorderRow computes output row y of the vertical pass directly.
func (s *blurScratch) blurBorderRow(dst, p []uint8, w, h, y int) {
	const r = BlurRadius
	k := gaussKernel
	a := grow(&s.acc, w)
	clear(a)
	lo, hi := max(y-r, 0), min(y+r, h-1)
	for j := lo; j <= hi; j++ {
		kv := k[j-y+r]
		row := p[j*w : j*w+w]
		row = row[:len(a)]
		for i := range a {
			a[i] += kv * int32(row[i])
		}
	}
	wt := gaussPrefix[hi-y+r+1] - gaussPrefix[lo-y+r]
	div := newDivider(uint32(wt))
	half := uint32(wt / 2)
	dst = dst[:len(a)]
	for i := range a {
		dst[i] = uint8(div.div(uint32(a[i]) + half))
	}
}

// interleave stores channel c of a row into an RGBA row.
func interleave(pix, line []uint8, c int) {
	pix = pix[:4*len(line)]
	for i, v := range line {
		pix[4*i+c] = v
	}
}

func setOpaque(pix []uint8) {
	for i := 3; i < len(pix); i += 4 {
		pix[i] = 0xff
	}
}
