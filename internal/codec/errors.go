package codec

import "errors"

// Sentinel errors. Every error of this package wraps one of them; test with
// errors.Is.
var (
	// ErrNotImage: the payload is not a (well-formed) image; HTTP 400.
	ErrNotImage = errors.New("not an image")
	// ErrUnsupportedFormat: a format other than jpg, jpeg, png, bmp or gif;
	// HTTP 415.
	ErrUnsupportedFormat = errors.New("unsupported image format")
	// ErrTooLarge: the payload or the image exceeds Limits; HTTP 413.
	ErrTooLarge = errors.New("image too large")
)
