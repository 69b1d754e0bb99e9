// Package codec decodes and encodes the images of SpecialVFX@Cloud: JPEG,
// PNG, BMP and GIF, as blur and enhance inputs and outputs, ray tracer
// textures and renders.
//
// Decode reads JPEGs with the arithmetic of the IJG library that the
// original system's Java ImageIO uses (integer IDCT, fancy upsampling), so
// every image the system reads has the original's pixels; the other formats
// go to Go's decoders. DecodeConfig and Sniff read only the header, so a
// caller can check an image's size against Limits before any pixel memory is
// allocated; Decode does that check itself and recovers from panics in the
// underlying decoders. DecodeRGB gives an image's colours as the original's
// Java code reads them pixel by pixel (BufferedImage.getRGB: linear grey
// converted to sRGB, 16-bit samples rounded), which the ray tracer's
// textures need. ReadConfig reads a header from a stream (an image being
// decoded from base64 as it is read), with DecodeConfig's checks and
// errors. DecodeBytes and DecodeRGBBytes estimate what decoding an image
// with a given header allocates, for a server that reserves memory before
// it decodes. Encode writes every supported format, and EncodeBMP the
// original's 24-bit BMP byte for byte. ContentType, FormatFromPath,
// CheckFormat and Formats name the formats.
//
// Every failure is an error that says what was wrong and wraps one of the
// sentinels ErrNotImage, ErrUnsupportedFormat or ErrTooLarge, which an HTTP
// layer maps to 400, 415 and 413.
//
// The package is pure computation on bytes and images: it must not import
// net/http, os/exec or any cloud SDK.
package codec
