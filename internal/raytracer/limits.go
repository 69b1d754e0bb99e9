package raytracer

import "unsafe"

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

// The least scene text a shape that can be hit ("0 0 plane 0 0 0 0"), a
// light (nine numbers) and a pigment ("solid 0 0 0") take, separators
// included.
const (
	minShapeText   = 17
	minLightText   = 17
	minPigmentText = 12
)

// SceneMemory bounds what a scene parsed from n bytes of text holds, its
// texture aside: the text, and as many shapes, lights and pigments as that
// much text can declare within lim, with the spare capacity of the slices
// that hold them. A server reserves it before parsing a scene.
func SceneMemory(n int, lim Limits) int64 {
	text := int64(max(n, 0))
	shapes := min(text/minShapeText, int64(max(lim.MaxShapes, 0)))
	lights := min(text/minLightText, int64(max(lim.MaxLights, 0)))
	pigments := text / minPigmentText
	held := shapes*int64(unsafe.Sizeof(shape{})) + lights*int64(unsafe.Sizeof(light{})) + pigments*int64(unsafe.Sizeof(pigment{}))
	return text + 2*held
}

// RenderMemory bounds what Render allocates for p: the RGBA image of the
// window (4 bytes a pixel) and each thread's tracer. A server reserves it
// before rendering.
func RenderMemory(p Params) int64 {
	return 4*int64(max(p.WCols, 0))*int64(max(p.WRows, 0)) + 64<<10
}
