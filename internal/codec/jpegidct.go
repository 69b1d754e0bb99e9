package codec

// The inverse DCT, upsampling and colour conversion of the IJG JPEG library
// (release 6b), which Java's ImageIO uses: the "ISLOW" integer IDCT, "fancy"
// (triangular) chroma upsampling and fixed-point YCbCr to RGB tables. Using
// the same arithmetic makes a decoded JPEG identical, pixel for pixel, to
// what the original system saw, so blur and enhance produce its very output.

const (
	idctConstBits = 13
	idctPass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

// idctRangeLimit maps a descaled IDCT output v to a sample: the table is
// indexed by v & 1023 and gives clamp(v+128, 0, 255) for v in [-512, 511],
// wrapping around beyond that exactly as IJG's range-limit table does.
var idctRangeLimit = func() [1024]uint8 {
	var t [1024]uint8
	for i := range t {
		switch {
		case i < 128:
			t[i] = uint8(i + 128)
		case i < 512:
			t[i] = 255
		case i < 896:
			t[i] = 0
		default:
			t[i] = uint8(i - 896)
		}
	}
	return t
}()

func descale(x int32, n uint) int32 { return (x + 1<<(n-1)) >> n }

// idctISLOW dequantizes one block of coefficients (natural order) with q and
// writes its 8×8 samples to out with the given stride.
func idctISLOW(in *[64]int16, q *[64]uint16, out []uint8, stride int) {
	var ws [64]int32
	// Pass 1: columns from input into the work array, scaled up by
	// 2^idctPass1Bits.
	for c := 0; c < 8; c++ {
		if in[8+c] == 0 && in[16+c] == 0 && in[24+c] == 0 && in[32+c] == 0 &&
			in[40+c] == 0 && in[48+c] == 0 && in[56+c] == 0 {
			dc := int32(in[c]) * int32(q[c]) << idctPass1Bits
			for r := 0; r < 8; r++ {
				ws[8*r+c] = dc
			}
			continue
		}
		deq := func(r int) int32 { return int32(in[8*r+c]) * int32(q[8*r+c]) }
		z2, z3 := deq(2), deq(6)
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 + z3*(-fix1_847759065)
		tmp3 := z1 + z2*fix0_765366865
		z2, z3 = deq(0), deq(4)
		tmp0 := (z2 + z3) << idctConstBits
		tmp1 := (z2 - z3) << idctConstBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		tmp0, tmp1, tmp2, tmp3 = deq(7), deq(5), deq(3), deq(1)
		o0, o1, o2, o3 := oddPart(tmp0, tmp1, tmp2, tmp3)

		const n = idctConstBits - idctPass1Bits
		ws[c] = descale(tmp10+o3, n)
		ws[56+c] = descale(tmp10-o3, n)
		ws[8+c] = descale(tmp11+o2, n)
		ws[48+c] = descale(tmp11-o2, n)
		ws[16+c] = descale(tmp12+o1, n)
		ws[40+c] = descale(tmp12-o1, n)
		ws[24+c] = descale(tmp13+o0, n)
		ws[32+c] = descale(tmp13-o0, n)
	}
	// Pass 2: rows from the work array to the output, descaled and range
	// limited.
	for r := 0; r < 8; r++ {
		w := ws[8*r : 8*r+8 : 8*r+8]
		o := out[r*stride : r*stride+8 : r*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := idctRangeLimit[descale(w[0], idctPass1Bits+3)&1023]
			for i := range o {
				o[i] = v
			}
			continue
		}
		z2, z3 := w[2], w[6]
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 + z3*(-fix1_847759065)
		tmp3 := z1 + z2*fix0_765366865
		tmp0 := (w[0] + w[4]) << idctConstBits
		tmp1 := (w[0] - w[4]) << idctConstBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		o0, o1, o2, o3 := oddPart(w[7], w[5], w[3], w[1])

		const n = idctConstBits + idctPass1Bits + 3
		o[0] = idctRangeLimit[descale(tmp10+o3, n)&1023]
		o[7] = idctRangeLimit[descale(tmp10-o3, n)&1023]
		o[1] = idctRangeLimit[descale(tmp11+o2, n)&1023]
		o[6] = idctRangeLimit[descale(tmp11-o2, n)&1023]
		o[2] = idctRangeLimit[descale(tmp12+o1, n)&1023]
		o[5] = idctRangeLimit[descale(tmp12-o1, n)&1023]
		o[3] = idctRangeLimit[descale(tmp13+o0, n)&1023]
		o[4] = idctRangeLimit[descale(tmp13-o0, n)&1023]
	}
}

// oddPart is the odd half of the ISLOW butterfly for inputs at positions 7,
// 5, 3 and 1; it returns the terms added to/subtracted from the even part
// for outputs 3/4, 2/5, 1/6 and 0/7.
func oddPart(tmp0, tmp1, tmp2, tmp3 int32) (o0, o1, o2, o3 int32) {
	z1 := tmp0 + tmp3
	z2 := tmp1 + tmp2
	z3 := tmp0 + tmp2
	z4 := tmp1 + tmp3
	z5 := (z3 + z4) * fix1_175875602
	tmp0 *= fix0_298631336
	tmp1 *= fix2_053119869
	tmp2 *= fix3_072711026
	tmp3 *= fix1_501321110
	z1 *= -fix0_899976223
	z2 *= -fix2_562915447
	z3 *= -fix1_961570560
	z4 *= -fix0_390180644
	z3 += z5
	z4 += z5
	return tmp0 + z1 + z3, tmp1 + z2 + z4, tmp2 + z2 + z3, tmp3 + z1 + z4
}

// YCbCr to RGB tables (jdcolor.c): R = Y + crR[Cr], G = Y + (cbG[Cb] +
// crG[Cr]) >> 16, B = Y + cbB[Cb], each clamped to [0, 255].
var crR, cbB, crG, cbG = func() (crR, cbB, crG, cbG [256]int32) {
	const scale = 16
	fix := func(x float64) int32 { return int32(x*(1<<scale) + 0.5) }
	const half = 1 << (scale - 1)
	for i := range 256 {
		x := int32(i) - 128
		crR[i] = (fix(1.40200)*x + half) >> scale
		cbB[i] = (fix(1.77200)*x + half) >> scale
		crG[i] = -fix(0.71414) * x
		cbG[i] = -fix(0.34414)*x + half
	}
	return
}()

func clamp8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// upsampleRow produces one full-resolution row of a component plane p (with
// the given stride, dw×dh significant samples) for output row y into out,
// whose first w samples are the row (out must hold at least hf*dw samples).
// hf and vf are the integer upsampling factors; fancy selects IJG's
// triangular filter, used for 2×1 and 2×2 when the component is more than two
// samples wide.
func upsampleRow(out []uint8, w int, p []uint8, stride, dw, dh, hf, vf, y int, fancy bool) {
	switch {
	case hf == 1 && vf == 1:
		copy(out, p[y*stride:y*stride+w])
	case fancy && hf == 2 && vf == 1:
		fancyH2V1(out, p[y*stride:y*stride+dw])
	case fancy && hf == 2 && vf == 2:
		cy := y / 2
		near := p[cy*stride : cy*stride+dw]
		fy := cy - 1 // the row above for even output rows, below for odd
		if y%2 == 1 {
			fy = cy + 1
		}
		fy = min(max(fy, 0), dh-1)
		fancyH2V2(out, near, p[fy*stride:fy*stride+dw])
	default:
		row := p[(y/vf)*stride:]
		for x := range out[:w] {
			out[x] = row[x/hf]
		}
	}
}

// fancyH2V1 doubles a row horizontally with weights 3/4 and 1/4 of the
// nearer and farther samples (jdsample.c h2v1_fancy_upsample). out must hold
// 2*len(in) samples; in must have at least two.
func fancyH2V1(out, in []uint8) {
	n := len(in)
	out = out[:2*n]
	v := int(in[0])
	out[0] = uint8(v)
	out[1] = uint8((v*3 + int(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := int(in[i]) * 3
		out[2*i] = uint8((v + int(in[i-1]) + 1) >> 2)
		out[2*i+1] = uint8((v + int(in[i+1]) + 2) >> 2)
	}
	v = int(in[n-1])
	out[2*(n-1)] = uint8((v*3 + int(in[n-2]) + 1) >> 2)
	out[2*n-1] = uint8(v)
}

// fancyH2V2 doubles a row both ways: near is the component row of the output
// row, far the row above it (for the upper output row of a pair) or below it
// (lower row), weighted 3:1 vertically, then 3:1 horizontally with biases 8
// and 7 (jdsample.c h2v2_fancy_upsample). out must hold 2*len(near) samples;
// near and far must have the same length, at least two.
func fancyH2V2(out, near, far []uint8) {
	n := len(near)
	out, far = out[:2*n], far[:n]
	this := int(near[0])*3 + int(far[0])
	next := int(near[1])*3 + int(far[1])
	out[0] = uint8((this*4 + 8) >> 4)
	out[1] = uint8((this*3 + next + 7) >> 4)
	last := this
	this = next
	for i := 1; i < n-1; i++ {
		next = int(near[i+1])*3 + int(far[i+1])
		out[2*i] = uint8((this*3 + last + 8) >> 4)
		out[2*i+1] = uint8((this*3 + next + 7) >> 4)
		last, this = this, next
	}
	out[2*(n-1)] = uint8((this*3 + last + 8) >> 4)
	out[2*n-1] = uint8((this*4 + 7) >> 4)
}
