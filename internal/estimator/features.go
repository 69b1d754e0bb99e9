package estimator

import (
	"math"

	"github.com/specialvfx/vfx/internal/workload"
)

// numFeatures is the length of every workload's feature vector; workloads
// with fewer features leave the rest at 0, which the fit ignores.
const numFeatures = 6

type vec [numFeatures]float64

// featureNames names each workload's features (in Snapshot's coefficients);
// an empty name marks an unused slot.
var featureNames = map[workload.Kind][numFeatures]string{
	workload.Raytracer: {"log1p_pixels", "log1p_shapes", "aa", "log1p_lights", "log1p_secondary", "log1p_texmap_bytes"},
	workload.Blur:      {"log1p_pixels", "log1p_min_side", "log1p_input_bytes"},
	workload.Enhance:   {"log1p_pixels", "log1p_min_side", "log1p_input_bytes"},
}

// features maps a request to the regression's inputs: logs of the sizes its
// cost scales with. The regression predicts log1p(actual) − log1p(prior)
// from them, so it only has to learn how far the prior is off.
func features(f workload.Features) vec {
	var x vec
	x[0] = math.Log1p(pixels(f))
	switch f.Kind {
	case workload.Raytracer:
		x[1] = logCount(f.Shapes)
		if f.AA {
			x[2] = 1
		}
		x[3] = logCount(f.Lights)
		x[4] = math.Log1p(float64(max(f.Reflective, 0)) + float64(max(f.Transparent, 0)))
		x[5] = logCount(f.TexmapBytes)
	case workload.Blur, workload.Enhance:
		x[1] = logCount(min(f.Width, f.Height))
		x[2] = logCount(f.InputBytes)
	}
	return x
}

func logCount(n int) float64 { return math.Log1p(float64(max(n, 0))) }
