package raytracer

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"math"

	"github.com/specialvfx/vfx/internal/codec"
)

// texture is a texmap: its size, and the colours the original reads from
// it with BufferedImage.getRGB (alpha ignored), rows from the top, in an
// opaque RGBA image whose bounds start at (0, 0), once decoded (img is nil
// in a scene parsed with ParseSceneHeader until DecodeTexture).
type texture struct {
	w, h   int
	format string
	img    *image.RGBA
}

// texmapCodecLimits leave the size check to the header check: the
// texture's bytes are already in memory, and its pixels are checked
// against Limits.MaxTexmapPixels (where zero allows none, unlike
// codec.Limits).
var texmapCodecLimits = codec.Limits{MaxPixels: math.MaxInt64, MaxBytes: math.MaxInt64}

// TexmapHeader is what the header of a request's texture says: its format
// and size (codec.ReadConfig), or why it could not be read.
type TexmapHeader struct {
	Config image.Config
	Format string // "jpeg", "png", "bmp" or "gif"
	Err    error  // the header could not be read
}

// ReadTexmapHeader reads the header of a texture of size bytes from r, as
// ParseScene reads it: only the header (and a JPEG's scan count), with no
// limit on the bytes or pixels, which a texmap pigment checks against
// Limits.MaxTexmapPixels.
func ReadTexmapHeader(r io.Reader, size int64) TexmapHeader {
	cfg, format, err := codec.ReadConfig(r, size, texmapCodecLimits)
	return TexmapHeader{Config: cfg, Format: format, Err: err}
}

// headerOf reads the header of texmap; nil when there is no texmap.
func headerOf(texmap []byte) *TexmapHeader {
	if texmap == nil {
		return nil
	}
	h := ReadTexmapHeader(bytes.NewReader(texmap), int64(len(texmap)))
	return &h
}

// texture checks the header for a texmap pigment, so that a small file
// that declares a huge image is refused before any pixel memory is
// allocated, and returns the texture without pixels.
func (h *TexmapHeader) texture(lim Limits) (*texture, error) {
	if h.Err != nil {
		return nil, fmt.Errorf("%w: reading image header (BMP, PNG, JPEG or GIF expected): %w", ErrTexmap, h.Err)
	}
	cfg := h.Config
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxTexmapPixels {
		return nil, fmt.Errorf("%w: %w: %s image is %dx%d = %d pixels, above the limit of %d",
			ErrTexmap, ErrLimit, h.Format, cfg.Width, cfg.Height, px, lim.MaxTexmapPixels)
	}
	return &texture{w: cfg.Width, h: cfg.Height, format: h.Format}, nil
}

// DecodeTexture decodes the pixels of the texture of a scene parsed with
// ParseSceneHeader, with the decoder of every image the system reads
// (package codec: for JPEG, the arithmetic of the original's ImageIO).
// texmap must be the bytes whose header the scene was parsed with. A scene
// with no texmap pigment, or whose texture is decoded, needs nothing: it
// returns nil. Not safe to call while the scene renders.
func (s *Scene) DecodeTexture(texmap []byte) error {
	t := s.tex
	if t == nil || t.img != nil {
		return nil
	}
	img, _, err := codec.DecodeRGB(texmap, texmapCodecLimits)
	if err != nil {
		return fmt.Errorf("%w: decoding %s image: %w", ErrTexmap, t.format, err)
	}
	r := img.Bounds()
	if r.Dx() != t.w || r.Dy() != t.h {
		return fmt.Errorf("%w: %s image header says %dx%d but the image is %dx%d",
			ErrTexmap, t.format, t.w, t.h, r.Dx(), r.Dy())
	}
	t.img = img
	return nil
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
