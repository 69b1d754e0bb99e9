package codec

import (
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
)

// Encode writes img in the named format: "bmp" (the original system's 24-bit
// BMP), "png", "jpg" or "jpeg" (quality 75, ImageIO's default; a grey image
// gives a one-component JPEG) or "gif" (grey images exactly with a grey
// palette, colour images reduced to the Plan 9 palette with Floyd–Steinberg
// dithering). Other names give ErrUnsupportedFormat.
func Encode(w io.Writer, img image.Image, format string) error {
	var err error
	switch strings.ToLower(format) {
	case "bmp":
		err = EncodeBMP(w, img)
	case "png":
		err = png.Encode(w, img)
	case "jpg", "jpeg":
		err = jpeg.Encode(w, img, &jpeg.Options{Quality: 75})
	case "gif":
		if g, ok := img.(*image.Gray); ok {
			img = grayPaletted(g)
		}
		err = gif.Encode(w, img, &gif.Options{NumColors: 256})
	default:
		return CheckFormat(format)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	return nil
}

// grayPaletted returns g as a paletted image over the 256 grey levels, which
// the GIF encoder stores without loss.
func grayPaletted(g *image.Gray) *image.Paletted {
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{Y: uint8(i)}
	}
	b := g.Bounds()
	p := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		copy(p.Pix[p.PixOffset(b.Min.X, y):p.PixOffset(b.Min.X, y)+b.Dx()], g.Pix[g.PixOffset(b.Min.X, y):])
	}
	return p
}
