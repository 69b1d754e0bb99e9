package raytracer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // texmap format
	_ "image/jpeg" // texmap format
	_ "image/png"  // texmap format
	"math"

	_ "golang.org/x/image/bmp" // texmap format
)

// texture is a decoded texmap: 8-bit RGB, rows from the top, as Java's
// BufferedImage.getRGB sees it (alpha ignored, not premultiplied).
type texture struct {
	w, h int
	pix  []uint8 // 3 bytes per pixel
}

// decodeTexmap decodes the texture after checking its header's size
// against lim, so a small file that declares a huge image is refused
// before any pixel memory is allocated.
func decodeTexmap(b []byte, lim Limits) (*texture, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: reading image header (BMP, PNG, JPEG or GIF expected): %w", ErrTexmap, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s image is %dx%d", ErrTexmap, format, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxTexmapPixels {
		return nil, fmt.Errorf("%w: %w: %s image is %dx%d = %d pixels, above the limit of %d",
			ErrTexmap, ErrLimit, format, cfg.Width, cfg.Height, px, lim.MaxTexmapPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: decoding %s image: %w", ErrTexmap, format, err)
	}
	r := img.Bounds()
	if r.Dx() != cfg.Width || r.Dy() != cfg.Height {
		return nil, fmt.Errorf("%w: %s image header says %dx%d but the image is %dx%d",
			ErrTexmap, format, cfg.Width, cfg.Height, r.Dx(), r.Dy())
	}
	t := &texture{w: r.Dx(), h: r.Dy(), pix: make([]uint8, 3*r.Dx()*r.Dy())}
	i := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		switch m := img.(type) {
		case *image.RGBA:
			row := m.Pix[m.PixOffset(r.Min.X, y):]
			for x := 0; x < t.w; x++ {
				px := row[4*x : 4*x+4]
				if px[3] == 0xff { // opaque, as every 24-bit BMP
					t.pix[i], t.pix[i+1], t.pix[i+2] = px[0], px[1], px[2]
				} else {
					c := color.NRGBAModel.Convert(color.RGBA{px[0], px[1], px[2], px[3]}).(color.NRGBA)
					t.pix[i], t.pix[i+1], t.pix[i+2] = c.R, c.G, c.B
				}
				i += 3
			}
		case *image.NRGBA:
			row := m.Pix[m.PixOffset(r.Min.X, y):]
			for x := 0; x < t.w; x++ {
				t.pix[i], t.pix[i+1], t.pix[i+2] = row[4*x], row[4*x+1], row[4*x+2]
				i += 3
			}
		case *image.YCbCr:
			for x := r.Min.X; x < r.Max.X; x++ {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				t.pix[i], t.pix[i+1], t.pix[i+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				i += 3
			}
		default:
			for x := r.Min.X; x < r.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				t.pix[i], t.pix[i+1], t.pix[i+2] = c.R, c.G, c.B
				i += 3
			}
		}
	}
	return t, nil
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
	p := t.pix[3*(y*t.w+x):]
	return rgb{byteTo[p[0]], byteTo[p[1]], byteTo[p[2]]}
}
