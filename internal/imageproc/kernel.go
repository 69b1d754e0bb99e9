package imageproc

import (
	"math"
	"math/bits"
)

// gaussKernel is BoofCV's integer Gaussian kernel for radius BlurRadius:
// FactoryKernelGaussian.gaussian(Kernel1D_S32, sigma=-1, radius=32).
var gaussKernel = integerGaussian(BlurRadius)

// gaussSum is the sum of gaussKernel's taps, the divisor away from borders.
var gaussSum = kernelSum(gaussKernel)

// gaussPrefix[i] is the sum of the first i taps of gaussKernel, so the weight
// of taps [a, b) is gaussPrefix[b]-gaussPrefix[a].
var gaussPrefix = prefixSums(gaussKernel)

// integerGaussian reproduces BoofCV's integer Gaussian kernel of the given
// radius with its float32 arithmetic:
//
//   - sigma = (2*radius+1)/5 (sigmaForRadius, order 0);
//   - tap i holds the normal density at i-radius, computed in float64 and
//     stored as float32;
//   - KernelMath.convert with minFrac = 1/100: the smallest tap whose
//     magnitude is at least max*minFrac becomes the unit, and every tap is
//     divided by it and truncated toward zero.
//
// Whether the float kernel is first normalised to sum 1 does not change the
// result for radius 32 (both give the same integers; a test checks this).
func integerGaussian(radius int) []int32 {
	sigma := (float64(radius)*2.0 + 1.0) / 5.0
	sqrt2pi := math.Sqrt(2 * math.Pi)
	f := make([]float32, 2*radius+1)
	for i := range f {
		d := float64(radius - i)
		f[i] = float32(math.Exp(-d*d/(2.0*sigma*sigma)) / (sigma * sqrt2pi))
	}
	return convertKernel(f, 1.0/100)
}

// convertKernel is KernelMath.convert(Kernel1D_F32, minFrac).
func convertKernel(f []float32, minFrac float32) []int32 {
	var maxAbs float32
	for _, v := range f {
		maxAbs = max(maxAbs, abs32(v))
	}
	threshold := maxAbs * minFrac
	unit := float32(math.MaxFloat32)
	for _, v := range f {
		if a := abs32(v); a < unit && a >= threshold {
			unit = a
		}
	}
	out := make([]int32, len(f))
	for i, v := range f {
		out[i] = int32(v / unit)
	}
	return out
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

func kernelSum(k []int32) int32 {
	var s int32
	for _, v := range k {
		s += v
	}
	return s
}

func prefixSums(k []int32) []int32 {
	p := make([]int32, len(k)+1)
	for i, v := range k {
		p[i+1] = p[i] + v
	}
	return p
}

// divider divides non-negative integers below 1<<32 by a fixed positive
// divisor with a multiply and a shift (Granlund–Montgomery), which is exact
// for every 32-bit numerator and much faster than a hardware division.
type divider struct {
	magic uint64
	shift uint
}

func newDivider(d uint32) divider {
	if d == 0 {
		panic("imageproc: division by zero")
	}
	l := uint(0)
	for (uint64(1) << l) < uint64(d) {
		l++
	}
	shift := 32 + l
	// magic = ceil(2^shift / d) fits in 33 bits; the 128-bit product is
	// shifted back down by shift.
	var hi, lo uint64 = 0, 1 << shift
	if shift == 64 {
		hi, lo = 1, 0
	}
	magic, rem := bits.Div64(hi, lo, uint64(d))
	if rem != 0 {
		magic++
	}
	return divider{magic: magic, shift: shift}
}

func (d divider) div(x uint32) uint32 {
	hi, lo := bits.Mul64(uint64(x), d.magic)
	// (hi:lo) >> shift, with shift in [32, 64].
	return uint32(lo>>d.shift | hi<<(64-d.shift))
}

// gaussLevels decomposes gaussKernel into nested boxes: level l covers the
// taps within gaussLevels[l] of the centre, and tap d equals the number of
// levels that cover it. A convolution with the kernel is then a sum of box
// sums, each two lookups in a prefix-sum array, which is exact.
var gaussLevels = boxLevels(gaussKernel)

// boxLevels returns, for l = 0 .. k[centre]-1, the largest distance d from the
// centre with k[centre±d] > l. The kernel must be symmetric, non-negative and
// non-increasing away from its centre.
func boxLevels(k []int32) []int {
	r := len(k) / 2
	levels := make([]int, k[r])
	for l := range levels {
		d := 0
		for d+1 <= r && k[r+d+1] > int32(l) {
			d++
		}
		levels[l] = d
	}
	return levels
}

// gaussAt returns the convolution of a line with gaussKernel at sample x,
// given the window q = p[x-BlurRadius : x+BlurRadius+2] of the line's prefix
// sums (p[i] = Σ line[:i]). It is the sum of the box sums of gaussLevels
// (32 28 25 23 21 20 19 17 16 15 14 13 12 11 10 9 8 6 5 3), each
// q[33+d] - q[32-d], written out so that the compiler keeps the sum in a
// register and checks no bounds; a test checks it against gaussLevels.
func gaussAt(q *[2*BlurRadius + 2]int32) int32 {
	return q[65] - q[0] + q[61] - q[4] + q[58] - q[7] + q[56] - q[9] +
		q[54] - q[11] + q[53] - q[12] + q[52] - q[13] + q[50] - q[15] +
		q[49] - q[16] + q[48] - q[17] + q[47] - q[18] + q[46] - q[19] +
		q[45] - q[20] + q[44] - q[21] + q[43] - q[22] + q[42] - q[23] +
		q[41] - q[24] + q[39] - q[26] + q[38] - q[27] + q[36] - q[29]
}
