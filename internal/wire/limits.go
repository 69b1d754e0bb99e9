package wire

import (
	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/raytracer"
)

// Limits bound what one request may ask for. Decode enforces them.
type Limits struct {
	// Scene bounds ray-tracer requests: scene size, shapes, lights, render
	// and texmap pixels (raytracer.DefaultLimits).
	Scene raytracer.Limits
	// Image bounds blur and enhance requests: encoded bytes and decoded
	// pixels, checked from the image header before decoding
	// (codec.DefaultLimits).
	Image codec.Limits
}

// DefaultLimits returns the limits of the workload packages.
func DefaultLimits() Limits {
	return Limits{Scene: raytracer.DefaultLimits(), Image: codec.DefaultLimits()}
}
