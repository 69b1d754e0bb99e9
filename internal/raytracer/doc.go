// Package raytracer is the ray tracing workload of SpecialVFX@Cloud: a scene
// parser and a renderer that produce the same pixels as the original Java ray
// tracer (geometry in float64, colour in float32 with java.awt.Color
// semantics, the original's camera, window and offset rules).
//
// ParseScene reads the original's text scene format (and an optional texture
// image for texmap pigments, decoded by package codec into the colours the
// original reads from it) under explicit Limits. ParseSceneHeader does the
// same knowing the texture only by its header (ReadTexmapHeader), for a
// load balancer that must never hold a texture's pixels; DecodeTexture then
// decodes them. SceneMemory and RenderMemory bound what a parsed scene
// holds and what a render allocates, for a server that reserves memory
// before it parses or renders. Render traces a window of
// the scene on every core, returns an *image.RGBA and Stats with a
// deterministic count of work (rays traced and ray-shape intersection tests)
// plus the CPU time spent. Output encoding (BMP, PNG, JPEG) is left to the
// caller.
//
// This package is pure computation: it must not import net/http, os/exec or
// any cloud SDK.
package raytracer
