package raytracer

import (
	"fmt"
	"image"
	"math"

	"github.com/specialvfx/vfx/internal/codec"
)

// texture is a decoded texmap: the colours the original reads from it with
// BufferedImage.getRGB (alpha ignored), rows from the top, in an opaque
// RGBA image whose bounds start at (0, 0).
type texture struct {
	w, h int
	img  *image.RGBA
}

// texmapCodecLimits leave the size check to decodeTexmap: the texture's
// bytes are already in memory, and its pixels are checked against
// Limits.MaxTexmapPixels (where zero allows none, unlike codec.Limits).
var texmapCodecLimits = codec.Limits{MaxPixels: math.MaxInt64, MaxBytes: math.MaxInt64}

// decodeTexmap decodes the texture with the decoder of every image the
// system reads (package codec: for JPEG, the arithmetic of the original's
// ImageIO), after checking its header's size against lim, so a small file
// that declares a huge image is refused before any pixel memory is
// allocated.
func decodeTexmap(b []byte, lim Limits) (*texture, error) {
	cfg, format, err := codec.DecodeConfig(b, texmapCodecLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: reading image header (BMP, PNG, JPEG or GIF expected): %w", ErrTexmap, err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxTexmapPixels {
		return nil, fmt.Errorf("%w: %w: %s image is %dx%d = %d pixels, above the limit of %d",
			ErrTexmap, ErrLimit, format, cfg.Width, cfg.Height, px, lim.MaxTexmapPixels)
	}
	img, _, err := codec.DecodeRGB(b, texmapCodecLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: decoding %s image: %w", ErrTexmap, format, err)
	}
	r := img.Bounds()
	if r.Dx() != cfg.Width || r.Dy() != cfg.Height {
		return nil, fmt.Errorf("%w: %s image header says %dx%d but the image is %dx%d",
			ErrTexmap, format, cfg.Width, cfg.Height, r.Dx(), r.Dy())
	}
	return &texture{w: r.Dx(), h: r.Dy(), img: img}, nil
}

// wrapUnit brings a texture coordinate into [0, 1) exactly as the
// original's loops "while (s < 0) s = 1.0 + s; while (s >= 1) s = s - 1.0"
// do, without looping: below 2^53 in magnitude every step but the last
// one is exact, so the loops collapse into one exact subtraction plus the
// last rounded step. Where the original would never finish (infinite or
// beyond ±2^53) the result is 0.
func wrapUnit(s float64) float64 {
	const big = 1 << 53
	if s < 0 {
		if !(s > -big) {
			return 0
		}
		if s < -1 {
			s += math.Ceil(-s) - 1 // exact; now -1 <= s < 0
		}
		for s < 0 {
			s = 1.0 + s
		}
	}
	if s >= 1 {
		if !(s < big) {
			return 0
		}
		s -= math.Floor(s) // exact
	}
	return s
}

// at is the colour at texture coordinates (s, t) in [0, 1), t = 0 being
// the top row, as the original's TexmapPigment.
func (t *texture) at(s, tt float64) rgb {
	x := int(javaD2I(math.Floor(s * float64(t.w))))
	y := int(javaD2I(math.Floor(tt * float64(t.h))))
	// The original cannot go out of bounds here; the clamps only guard.
	x = min(max(x, 0), t.w-1)
	y = min(max(y, 0), t.h-1)
	p := t.img.Pix[y*t.img.Stride+4*x:]
	return rgb{byteTo[p[0]], byteTo[p[1]], byteTo[p[2]]}
}
