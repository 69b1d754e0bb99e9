// Package dataurl reads and writes the image payloads of SpecialVFX@Cloud:
// data URLs of the form data:image/<format>;base64,<data> (the body of the
// original system's /blurimage and /enhanceimage requests and responses), and
// the JPEG, PNG, BMP and GIF codecs behind them.
//
// Parsing is tolerant where clients differ (line-wrapped base64, surrounding
// whitespace, missing padding, a form-encoded body) and strict where it
// matters: every failure is an error that says what was wrong and where, and
// wraps one of the sentinels ErrNotImage, ErrUnsupportedFormat or
// ErrTooLarge, which an HTTP layer maps to 400, 415 and 413. Decoding checks
// the image dimensions against Limits before it allocates any pixels, and
// recovers from panics in the underlying decoders.
//
// EncodeBMP writes the BMP variant the original system produced, byte for
// byte.
//
// The package does codec work only: it must not import net/http, os/exec or
// the AWS SDK.
package dataurl
