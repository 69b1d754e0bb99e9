package codec

import (
	"context"
	"testing"

	"github.com/specialvfx/vfx/internal/imageproc"
	"github.com/specialvfx/vfx/internal/testutil"
)

// fdctISLOW is IJG's integer forward DCT (jfdctint.c) of one level-shifted
// 8×8 block, in place, followed by its quantization (jcdctmgr.c) with q.
func fdctISLOW(blk *[64]int32, q *[64]uint16) [64]int16 {
	const cb, p1 = idctConstBits, idctPass1Bits
	for pass := 0; pass < 2; pass++ {
		for i := 0; i < 8; i++ {
			at := func(k int) *int32 { // element k of row i (pass 0) or column i (pass 1)
				if pass == 0 {
					return &blk[8*i+k]
				}
				return &blk[8*k+i]
			}
			d := [8]int32{*at(0), *at(1), *at(2), *at(3), *at(4), *at(5), *at(6), *at(7)}
			tmp0, tmp7 := d[0]+d[7], d[0]-d[7]
			tmp1, tmp6 := d[1]+d[6], d[1]-d[6]
			tmp2, tmp5 := d[2]+d[5], d[2]-d[5]
			tmp3, tmp4 := d[3]+d[4], d[3]-d[4]
			tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
			tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
			shift := uint(cb - p1)
			if pass == 0 {
				*at(0) = (tmp10 + tmp11) << p1
				*at(4) = (tmp10 - tmp11) << p1
			} else {
				shift = cb + p1
				*at(0) = descale(tmp10+tmp11, p1)
				*at(4) = descale(tmp10-tmp11, p1)
			}
			z1 := (tmp12 + tmp13) * fix0_541196100
			*at(2) = descale(z1+tmp13*fix0_765366865, shift)
			*at(6) = descale(z1+tmp12*(-fix1_847759065), shift)
			z1 = tmp4 + tmp7
			z2 := tmp5 + tmp6
			z3 := tmp4 + tmp6
			z4 := tmp5 + tmp7
			z5 := (z3 + z4) * fix1_175875602
			tmp4 *= fix0_298631336
			tmp5 *= fix2_053119869
			tmp6 *= fix3_072711026
			tmp7 *= fix1_501321110
			z1 *= -fix0_899976223
			z2 *= -fix2_562915447
			z3 *= -fix1_961570560
			z4 *= -fix0_390180644
			z3 += z5
			z4 += z5
			*at(7) = descale(tmp4+z1+z3, shift)
			*at(5) = descale(tmp5+z2+z4, shift)
			*at(3) = descale(tmp6+z2+z3, shift)
			*at(1) = descale(tmp7+z1+z4, shift)
		}
	}
	var out [64]int16
	for i, v := range blk {
		qv := int32(q[i]) << 3
		if v < 0 {
			out[i] = int16(-((-v + qv>>1) / qv))
		} else {
			out[i] = int16((v + qv>>1) / qv)
		}
	}
	return out
}

// TestEnhanceReproducesOriginal checks the whole enhance path against the
// original system's response for dull.jpg: decoding the input as ImageIO
// does, enhancing it, and compressing the result as ImageIO's JPEG writer
// does (IJG forward DCT, the quantization tables stored in the expected file)
// must give every quantized coefficient of the expected file exactly. The
// expected file is a lossy JPEG, so this is the closest comparison there is:
// its PSNR against even the exact output is only 29.9 dB.
func TestEnhanceReproducesOriginal(t *testing.T) {
	in, _, err := Decode(testutil.SeedCopy(t, "imageproc/inputs/dull.jpg"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := imageproc.Enhance(context.Background(), in, imageproc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := &jpegDecoder{d: testutil.SeedCopy(t, "imageproc/expected/dull_enhance.jpg"), lim: DefaultLimits()}
	if err := d.parse(); err != nil {
		t.Fatal(err)
	}
	if len(d.comps) != 1 {
		t.Fatalf("expected file has %d components, want 1 (grey)", len(d.comps))
	}
	c := &d.comps[0]
	w, h := got.Bounds().Dx(), got.Bounds().Dy()
	if w != d.width || h != d.height || w%8 != 0 || h%8 != 0 {
		t.Fatalf("sizes: ours %dx%d, expected %dx%d (want equal multiples of 8)", w, h, d.width, d.height)
	}
	mismatches := 0
	for by := 0; by < h/8; by++ {
		for bx := 0; bx < w/8; bx++ {
			var blk [64]int32
			for y := 0; y < 8; y++ {
				for x := 0; x < 8; x++ {
					blk[8*y+x] = int32(got.GrayAt(8*bx+x, 8*by+y).Y) - 128
				}
			}
			coef := fdctISLOW(&blk, c.q)
			if coef != c.coef[by*c.bw+bx] {
				mismatches++
				if mismatches <= 3 {
					t.Errorf("block (%d,%d): coefficients %v, want %v", bx, by, coef, c.coef[by*c.bw+bx])
				}
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d of %d blocks differ from the original's output", mismatches, w*h/64)
	}
}
