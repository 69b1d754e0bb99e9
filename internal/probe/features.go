package probe

import (
	"image"

	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/workload"
)

// Input is what a probe reads of a request, as the load balancer has it
// once the request's header is decoded.
type Input struct {
	// Scene and Params are a ray trace's parsed scene (its texture known
	// by its header is enough) and render parameters.
	Scene  *raytracer.Scene
	Params raytracer.Params
	// Image is an enhance request's decoded image, when the caller
	// decoded it (see Options.DecodeImages); nil: not probed.
	Image image.Image
}

// MaxUnits caps a probe's estimate in the features (as the metrics store
// and the estimator cap predictions).
const MaxUnits = 1e18

// Features returns f with the estimate of a probe of in
// (workload.Features.ProbeUnits) when the request is one a probe
// estimates and its budget allows, else f unchanged.
func Features(f workload.Features, in Input, o Options) workload.Features {
	if f.Kind == workload.Raytracer && in.Scene != nil {
		if r, ok := Raytrace(in.Scene, in.Params, o); ok {
			f.ProbeUnits = min(r.Units, MaxUnits)
		}
	}
	if f.Kind == workload.Enhance && in.Image != nil && o.DecodeImages {
		f.ProbeUnits = min(Enhance(in.Image, o).Units, MaxUnits)
	}
	return f
}
