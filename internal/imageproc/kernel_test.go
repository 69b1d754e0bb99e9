package imageproc

import (
	"math"
	"testing"
)

// TestKernelMatchesDefinition derives the integer kernel in float64 straight
// from its definition: the unit is the tap at the edge of the kernel (it is
// the smallest tap above 1/100 of the centre for radius 32), so tap d is
// trunc(exp((r²-d²)/(2σ²))).
func TestKernelMatchesDefinition(t *testing.T) {
	const r = BlurRadius
	sigma := float64(2*r+1) / 5
	if sigma != 13 {
		t.Fatalf("sigma = %v, want 13", sigma)
	}
	edge := math.Exp(-float64(r*r) / (2 * sigma * sigma))
	if edge < 0.01 {
		t.Fatalf("edge tap %v is below minFrac; the derivation below does not apply", edge)
	}
	if len(gaussKernel) != 2*r+1 {
		t.Fatalf("kernel has %d taps, want %d", len(gaussKernel), 2*r+1)
	}
	var sum int32
	for i, k := range gaussKernel {
		d := float64(i - r)
		want := int32(math.Exp((float64(r*r) - d*d) / (2 * sigma * sigma)))
		if k != want {
			t.Errorf("tap %d = %d, want %d", i, k, want)
		}
		sum += k
	}
	if gaussKernel[r] != 20 || gaussKernel[0] != 1 || gaussKernel[2*r] != 1 {
		t.Errorf("centre/edge taps = %d/%d/%d, want 20/1/1", gaussKernel[r], gaussKernel[0], gaussKernel[2*r])
	}
	if sum != gaussSum {
		t.Errorf("gaussSum = %d, want %d", gaussSum, sum)
	}
}

// TestKernelNormalisationIrrelevant checks that normalising the float kernel
// to sum 1 before the integer conversion (as some BoofCV versions do) gives
// the same integers.
func TestKernelNormalisationIrrelevant(t *testing.T) {
	const r = BlurRadius
	sigma := (float64(r)*2.0 + 1.0) / 5.0
	f := make([]float32, 2*r+1)
	var total float32
	for i := range f {
		d := float64(r - i)
		f[i] = float32(math.Exp(-d*d/(2.0*sigma*sigma)) / (sigma * math.Sqrt(2*math.Pi)))
		total += f[i]
	}
	for i := range f {
		f[i] /= total
	}
	got := convertKernel(f, 1.0/100)
	for i := range got {
		if got[i] != gaussKernel[i] {
			t.Fatalf("normalised kernel tap %d = %d, want %d", i, got[i], gaussKernel[i])
		}
	}
}

func TestConvertKernel(t *testing.T) {
	tests := []struct {
		name string
		in   []float32
		frac float32
		want []int32
	}{
		{"smallest above threshold is the unit", []float32{0.001, 0.1, 0.5, 1, 0.5, 0.1, 0.001}, 0.01, []int32{0, 1, 5, 10, 5, 1, 0}},
		{"truncates toward zero", []float32{0.3, 0.65, 1}, 0.1, []int32{1, 2, 3}},
		{"negative taps keep their sign", []float32{-0.5, 1, -0.25}, 0.1, []int32{-2, 4, -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := convertKernel(tc.in, tc.frac)
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestDividerExact checks the multiply-and-shift division against the
// hardware division for every numerator the filters can produce and more.
func TestDividerExact(t *testing.T) {
	divisors := []uint32{1, 2, 3, 7, 20, 100, 317, 634, 635, 10201, 65535, 1 << 20, 1<<31 + 11}
	for _, d := range divisors {
		dv := newDivider(d)
		for x := uint32(0); x < 1<<20; x++ {
			if got := dv.div(x); got != x/d {
				t.Fatalf("%d/%d = %d, want %d", x, d, got, x/d)
			}
		}
		for _, x := range []uint32{1<<32 - 1, 1<<32 - 2, 1 << 31, d, d - 1, 3*d + 1} {
			if got := dv.div(x); got != x/d {
				t.Fatalf("%d/%d = %d, want %d", x, d, got, x/d)
			}
		}
	}
}

// TestInteriorDivisionHack checks that BoofCV's vertical interior rounding,
// (int)((total + sum/2) * (1.0/sum)) in float64, equals the integer rounding
// (total + sum/2) / sum for every total an 8-bit image can produce, which is
// why Blur uses one rounding rule everywhere.
func TestInteriorDivisionHack(t *testing.T) {
	s := int64(gaussSum)
	inv := 1.0 / float64(s)
	for total := int64(0); total <= 255*s; total++ {
		if hack, exact := int64(float64(total+s/2)*inv), (total+s/2)/s; hack != exact {
			t.Fatalf("total %d: float rounding %d, integer rounding %d", total, hack, exact)
		}
	}
}

func TestBoxLevelsRebuildKernel(t *testing.T) {
	r := BlurRadius
	for i, k := range gaussKernel {
		if gaussKernel[2*r-i] != k {
			t.Fatalf("kernel not symmetric at %d", i)
		}
		d := i - r
		if d < 0 {
			d = -d
		}
		n := int32(0)
		for _, h := range gaussLevels {
			if h >= d {
				n++
			}
		}
		if n != k {
			t.Errorf("tap %d: %d levels cover it, want %d", i, n, k)
		}
	}
}

func TestGaussAtMatchesKernel(t *testing.T) {
	want := []int{32, 28, 25, 23, 21, 20, 19, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 6, 5, 3}
	if len(gaussLevels) != len(want) {
		t.Fatalf("levels %v, want %v", gaussLevels, want)
	}
	for i := range want {
		if gaussLevels[i] != want[i] {
			t.Fatalf("levels %v, want %v", gaussLevels, want)
		}
	}
	line := make([]int32, 200)
	for i := range line {
		line[i] = int32((i*7919 + i*i*31) % 256)
	}
	p := make([]int32, len(line)+1)
	for i, v := range line {
		p[i+1] = p[i] + v
	}
	for x := BlurRadius; x+BlurRadius < len(line); x++ {
		var direct int32
		for d := -BlurRadius; d <= BlurRadius; d++ {
			direct += gaussKernel[d+BlurRadius] * line[x+d]
		}
		if got := gaussAt((*[2*BlurRadius + 2]int32)(p[x-BlurRadius : x+BlurRadius+2])); got != direct {
			t.Fatalf("x=%d: gaussAt %d, direct %d", x, got, direct)
		}
	}
}
