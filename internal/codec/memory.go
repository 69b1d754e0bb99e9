package codec

import (
	"image"
	"image/color"
)

// DecodeBytes estimates what Decode allocates for an image whose header
// is cfg (DecodeConfig) in format: its pixels at the bytes per pixel of
// the image the decoder returns (1 for grey and palettes, 4 for 8-bit
// colour, 8 for 16-bit colour) and, for a JPEG, the coefficients (2 bytes
// a sample) and component planes (1 byte a sample) the IJG decoder keeps
// while it decodes. A server reserves it before decoding.
func DecodeBytes(cfg image.Config, format string) int64 {
	px := int64(max(cfg.Width, 0)) * int64(max(cfg.Height, 0))
	if format == "jpeg" {
		comps, out := int64(3), int64(4)
		switch cfg.ColorModel {
		case color.GrayModel:
			comps, out = 1, 1
		case color.CMYKModel:
			comps = 4
		}
		return px * (3*comps + out)
	}
	return px * bytesPerPixel(cfg.ColorModel)
}

// DecodeRGBBytes is DecodeBytes plus the opaque RGBA copy DecodeRGB makes
// of the decoded image (4 bytes a pixel).
func DecodeRGBBytes(cfg image.Config, format string) int64 {
	return DecodeBytes(cfg, format) + 4*int64(max(cfg.Width, 0))*int64(max(cfg.Height, 0))
}

// bytesPerPixel is the size of a pixel of the image type that holds
// colours of model m; 8, the largest, when the model is unknown.
func bytesPerPixel(m color.Model) int64 {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	}
	return 8
}
