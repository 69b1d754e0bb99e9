package raytracer

// Limits bound what one scene and one render may ask for, so that a bad or
// hostile request fails fast with an error instead of exhausting memory or
// CPU. The zero value of a field means "no requests allowed" for that field;
// start from DefaultLimits.
type Limits struct {
	// MaxPixels bounds scols*srows and wcols*wrows of one render.
	// Default 16,777,216 (4096x4096).
	MaxPixels int64
	// MaxSceneBytes bounds the size of the scene text. Default 1 MiB.
	MaxSceneBytes int
	// MaxShapes bounds the declared number of shapes. Default 10,000.
	MaxShapes int
	// MaxLights bounds the declared number of lights (ambient included).
	// Default 1,000.
	MaxLights int
	// MaxTexmapPixels bounds width*height of the texture image, checked on
	// the image header before the image is decoded. Default 16,777,216.
	MaxTexmapPixels int64
}

// DefaultLimits returns the documented default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxPixels:       16_777_216,
		MaxSceneBytes:   1 << 20,
		MaxShapes:       10_000,
		MaxLights:       1_000,
		MaxTexmapPixels: 16_777_216,
	}
}
