package estimator

import (
	"errors"
	"fmt"
	"math"

	"github.com/specialvfx/vfx/internal/workload"
)

// Defaults of PriorParams, from the workloads' unit definitions.
const (
	// DefaultHitFraction is the assumed share of rays that hit a shape when
	// the scene has any (scenes often have an enclosing sphere or a floor).
	DefaultHitFraction = 0.8
	// DefaultMaxDepth is the ray tracer's deepest recursion: shade spawns
	// secondary rays while depth <= 5, so rays exist at depths 0..6.
	DefaultMaxDepth = 6
	// DefaultBlurTaps is the width of the blur's Gaussian kernel (radius 32).
	DefaultBlurTaps = 65
	// DefaultEnhanceUnitsPerPixel is the enhance workload's histogram bins
	// touched per pixel. A naive 101×101 sliding window touches 2·101 bins
	// as it moves one pixel along a row (a column leaves, a column enters)
	// plus up to 256 bins to build the pixel's transform: 458. The workload
	// keeps blocked column histograms instead and touches about 100 to 240
	// bins per pixel on the sample images, depending on their content; the
	// prior takes 150 and learning corrects it per image size.
	DefaultEnhanceUnitsPerPixel = 150
)

// Blur work per pixel: a separable kernel applied in 2 passes to 3 channels.
const (
	blurPasses   = 2
	blurChannels = 3
)

// PriorParams are the parameters of the priors. The zero value of a field
// means its default.
type PriorParams struct {
	// HitFraction in (0, 1] is the share of rays assumed to hit a shape.
	HitFraction float64
	// MaxDepth is the deepest ray recursion level (depth 0 is the primary
	// ray).
	MaxDepth int
	// BlurTaps is the Gaussian kernel width.
	BlurTaps int
	// EnhanceUnitsPerPixel is the enhance workload's units per pixel.
	EnhanceUnitsPerPixel float64
}

// DefaultPriorParams returns the prior parameters' defaults.
func DefaultPriorParams() PriorParams {
	return PriorParams{
		HitFraction:          DefaultHitFraction,
		MaxDepth:             DefaultMaxDepth,
		BlurTaps:             DefaultBlurTaps,
		EnhanceUnitsPerPixel: DefaultEnhanceUnitsPerPixel,
	}
}

// Validate reports every invalid field.
func (p PriorParams) Validate() error {
	var errs []error
	if !(p.HitFraction >= 0 && p.HitFraction <= 1) {
		errs = append(errs, fmt.Errorf("prior hit fraction: %v is outside (0, 1]", p.HitFraction))
	}
	if p.MaxDepth < 0 || p.MaxDepth > 64 {
		errs = append(errs, fmt.Errorf("prior max depth: %d is outside [1, 64]", p.MaxDepth))
	}
	if p.BlurTaps < 0 || p.BlurTaps > 100_000 {
		errs = append(errs, fmt.Errorf("prior blur taps: %d is outside [1, 100000]", p.BlurTaps))
	}
	if !finiteNonNeg(p.EnhanceUnitsPerPixel) {
		errs = append(errs, fmt.Errorf("prior enhance units per pixel: %v is not a finite positive number", p.EnhanceUnitsPerPixel))
	}
	return errors.Join(errs...)
}

func (p PriorParams) withDefaults() PriorParams {
	d := DefaultPriorParams()
	if !(p.HitFraction > 0 && p.HitFraction <= 1) {
		p.HitFraction = d.HitFraction
	}
	if p.MaxDepth <= 0 || p.MaxDepth > 64 {
		p.MaxDepth = d.MaxDepth
	}
	if p.BlurTaps <= 0 || p.BlurTaps > 100_000 {
		p.BlurTaps = d.BlurTaps
	}
	if !(p.EnhanceUnitsPerPixel > 0) || math.IsInf(p.EnhanceUnitsPerPixel, 0) {
		p.EnhanceUnitsPerPixel = d.EnhanceUnitsPerPixel
	}
	return p
}

// PriorUnits is the prior of f's workload (RaytracerPrior, BlurPrior or
// EnhancePrior). An unknown workload's prior is its pixel count. Zero
// fields of p take their defaults.
func PriorUnits(f workload.Features, p PriorParams) float64 {
	p = p.withDefaults()
	switch f.Kind {
	case workload.Raytracer:
		return RaytracerPrior(f, p)
	case workload.Blur:
		return BlurPrior(f, p)
	case workload.Enhance:
		return EnhancePrior(f, p)
	}
	return pixels(f)
}

// Every prior takes zero fields of p as their defaults.

// RaytracerPrior predicts the ray tracer's units (rays traced plus
// ray–shape intersection tests) from the scene's summary:
//
//	pixels   = wcols × wrows,  samples = 4 with aa, else 1
//	S        = shapes, L = lights − 1 (lights[0] is ambient and casts no shadow ray)
//	h        = HitFraction (0 when S = 0)
//	perRay   = (1 + S) · (1 + h·L)       a ray tests every shape; a hit sends a shadow ray per light, each testing every shape
//	b        = h · (reflective + transparent) / S   secondary rays spawned per ray (each fraction capped at 1)
//	depthSum = Σ_{d=0..MaxDepth} b^d      rays per primary ray over all depths
//	units    = pixels · samples · perRay · depthSum
func RaytracerPrior(f workload.Features, p PriorParams) float64 {
	p = p.withDefaults()
	px := pixels(f)
	if px == 0 {
		return 0
	}
	samples := 1.0
	if f.AA {
		samples = 4
	}
	s := float64(max(f.Shapes, 0))
	l := float64(max(f.Lights-1, 0))
	h := p.HitFraction
	if s == 0 {
		h = 0
	}
	perRay := (1 + s) * (1 + h*l)
	b := 0.0
	if s > 0 {
		b = h * (clamp01(float64(f.Reflective)/s) + clamp01(float64(f.Transparent)/s))
	}
	depthSum, term := 0.0, 1.0
	for range p.MaxDepth + 1 {
		depthSum += term
		term *= b
	}
	return px * samples * perRay * depthSum
}

// BlurPrior predicts the blur's units (kernel taps): a separable kernel of
// BlurTaps taps applied in 2 passes to 3 channels,
//
//	units = pixels · 2 · 3 · BlurTaps   (390 per pixel for the 65-tap kernel)
//
// It ignores the kernel's truncation at the borders.
func BlurPrior(f workload.Features, p PriorParams) float64 {
	p = p.withDefaults()
	return pixels(f) * blurPasses * blurChannels * float64(p.BlurTaps)
}

// EnhancePrior predicts the enhance workload's units (histogram bins
// touched by the local equalisation over a 101×101 window):
//
//	units = pixels · EnhanceUnitsPerPixel   (150 by default; see
//	                                         DefaultEnhanceUnitsPerPixel)
func EnhancePrior(f workload.Features, p PriorParams) float64 {
	p = p.withDefaults()
	return pixels(f) * p.EnhanceUnitsPerPixel
}

// pixels is f's output pixel count as a float, with negative sides as 0.
func pixels(f workload.Features) float64 {
	w, h := f.Width, f.Height
	if f.Kind == workload.Raytracer {
		w, h = f.WCols, f.WRows
	}
	return float64(max(w, 0)) * float64(max(h, 0))
}

func clamp01(v float64) float64 {
	switch {
	case !(v > 0):
		return 0
	case v > 1:
		return 1
	}
	return v
}
