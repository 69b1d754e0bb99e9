package codec

import (
	"image"
	"image/color"
	"math"
	"sync"
)

// DecodeRGB decodes an image like Decode and returns its colours as the
// original system's Java code reads them pixel by pixel, with
// BufferedImage.getRGB, alpha left out: an opaque *image.RGBA whose bounds
// start at (0, 0).
//
// Most images keep their samples: 8-bit colour, palettes (GIF, indexed PNG
// and BMP, 1-, 2- and 4-bit grey PNGs, which ImageIO reads as indexed),
// 24- and 32-bit BMP (whose alpha ImageIO ignores), and the stored colour
// of translucent pixels. Two kinds differ:
//   - 8- and 16-bit grey samples (one-component JPEGs, grey and grey+alpha
//     PNGs) are in ImageIO's linear grey colour space, which getRGB converts
//     to sRGB: grey 128 reads as 188 (see srgbOfLinear);
//   - 16-bit colour samples are rounded to 8 bits (v·255/65535), not
//     truncated.
func DecodeRGB(data []byte, lim Limits) (*image.RGBA, string, error) {
	img, format, err := Decode(data, lim)
	if err != nil {
		return nil, format, err
	}
	return javaRGB(img, linearGrey(format, data)), format, nil
}

// linearGrey reports whether ImageIO reads the grey samples of data into
// its linear grey colour space (ColorSpace.CS_GRAY): those of JPEGs (only a
// one-component JPEG decodes to grey) and of PNGs of 8- or 16-bit grey, with
// or without alpha.
func linearGrey(format string, data []byte) bool {
	switch format {
	case "jpeg":
		return true
	case "png":
		// The signature (8 bytes), the IHDR chunk's length and type (8),
		// width and height (8), then its bit depth and colour type.
		if len(data) < 26 {
			return false
		}
		depth, colorType := data[24], data[25]
		return (colorType == 0 || colorType == 4) && (depth == 8 || depth == 16)
	}
	return false
}

// javaRGB converts img to opaque RGBA with getRGB's colours; grey says
// whether its grey samples are linear (see linearGrey).
func javaRGB(img image.Image, grey bool) *image.RGBA {
	b := img.Bounds()
	if m, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) && m.Opaque() {
		return m // colour JPEGs and 24-bit BMPs, as they are
	}
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	set := func(i int, r, g, bl uint8) {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = r, g, bl, 0xff
	}
	var g8 *[256]uint8
	var g16 *[65536]uint8
	if grey {
		g8, g16 = srgb8(), srgb16()
	}
	var pal []color.NRGBA
	if m, ok := img.(*image.Paletted); ok {
		pal = make([]color.NRGBA, len(m.Palette))
		for i, c := range m.Palette {
			pal[i] = color.NRGBAModel.Convert(c).(color.NRGBA)
		}
	}
	for y := 0; y < b.Dy(); y++ {
		i := y * out.Stride
		for x := b.Min.X; x < b.Max.X; x, i = x+1, i+4 {
			switch m := img.(type) {
			case *image.Gray:
				v := m.Pix[m.PixOffset(x, b.Min.Y+y)]
				if grey {
					v = g8[v]
				}
				set(i, v, v, v)
			case *image.Gray16:
				v := m.Gray16At(x, b.Min.Y+y).Y
				if grey {
					s := g16[v]
					set(i, s, s, s)
				} else {
					s := round16(v)
					set(i, s, s, s)
				}
			case *image.NRGBA:
				p := m.Pix[m.PixOffset(x, b.Min.Y+y):]
				if grey { // grey+alpha: R = G = B
					set(i, g8[p[0]], g8[p[0]], g8[p[0]])
				} else {
					set(i, p[0], p[1], p[2])
				}
			case *image.NRGBA64:
				c := m.NRGBA64At(x, b.Min.Y+y)
				if grey {
					s := g16[c.R]
					set(i, s, s, s)
				} else {
					set(i, round16(c.R), round16(c.G), round16(c.B))
				}
			case *image.RGBA64:
				c := color.NRGBA64Model.Convert(m.RGBA64At(x, b.Min.Y+y)).(color.NRGBA64)
				set(i, round16(c.R), round16(c.G), round16(c.B))
			case *image.Paletted:
				c := pal[m.ColorIndexAt(x, b.Min.Y+y)]
				set(i, c.R, c.G, c.B)
			case *image.YCbCr:
				yi, ci := m.YOffset(x, b.Min.Y+y), m.COffset(x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				set(i, r, g, bl)
			default:
				c := color.NRGBAModel.Convert(img.At(x, b.Min.Y+y)).(color.NRGBA)
				set(i, c.R, c.G, c.B)
			}
		}
	}
	return out
}

// round16 rounds a 16-bit sample to 8 bits, as Java's colour models do.
func round16(v uint16) uint8 {
	return uint8((uint32(v)*255 + 32767) / 65535)
}

// srgbOfLinear is the sRGB transfer function (IEC 61966-2-1) that Java's
// colour management applies to a linear grey value in [0, 1] on its way to
// sRGB.
func srgbOfLinear(l float64) float64 {
	if l <= 0.0031308 {
		return 12.92 * l
	}
	return 1.055*math.Pow(l, 1/2.4) - 0.055
}

// srgb8 and srgb16 map linear 8- and 16-bit grey to 8-bit sRGB, rounded to
// nearest: the tables Java builds for getRGB on such images.
var (
	srgb8 = sync.OnceValue(func() *[256]uint8 {
		var t [256]uint8
		for v := range t {
			t[v] = uint8(255*srgbOfLinear(float64(v)/255) + 0.5)
		}
		return &t
	})
	srgb16 = sync.OnceValue(func() *[65536]uint8 {
		var t [65536]uint8
		for v := range t {
			t[v] = uint8(255*srgbOfLinear(float64(v)/65535) + 0.5)
		}
		return &t
	})
)
