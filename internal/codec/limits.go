package codec

// Limits bound what Decode accepts. A zero field takes its default.
type Limits struct {
	// MaxPixels bounds width×height, checked from the image header before
	// any pixel is decoded (decompression bombs). Default 40,000,000.
	MaxPixels int64
	// MaxBytes bounds the size of the encoded image. Default 32 MiB.
	MaxBytes int64
}

// DefaultLimits returns the default limits: 40 megapixels, 32 MiB.
func DefaultLimits() Limits {
	return Limits{MaxPixels: 40_000_000, MaxBytes: 32 << 20}
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	return l
}
