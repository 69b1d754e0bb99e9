package workload

import "fmt"

// Kind names one of the three workloads.
type Kind string

// The workloads, named as in the HTTP paths without the slash.
const (
	Raytracer Kind = "raytracer"
	Blur      Kind = "blurimage"
	Enhance   Kind = "enhanceimage"
)

// Kinds lists every workload in a stable order.
var Kinds = []Kind{Raytracer, Blur, Enhance}

// ParseKind accepts a workload name, with or without the leading slash of
// its path, and the short names "blur" and "enhance".
func ParseKind(s string) (Kind, error) {
	if len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	switch s {
	case "raytracer", "raytrace":
		return Raytracer, nil
	case "blurimage", "blur":
		return Blur, nil
	case "enhanceimage", "enhance":
		return Enhance, nil
	}
	return "", fmt.Errorf("unknown workload %q (want raytracer, blurimage or enhanceimage)", s)
}

// Path is the HTTP path that serves the workload.
func (k Kind) Path() string { return "/" + string(k) }

// Features are what a request's cost depends on, known before it runs.
// Fields that do not apply to a workload are zero.
type Features struct {
	Kind Kind `json:"workload"`

	// Ray tracer.
	SCols       int  `json:"scols,omitempty"`
	SRows       int  `json:"srows,omitempty"`
	WCols       int  `json:"wcols,omitempty"`
	WRows       int  `json:"wrows,omitempty"`
	COff        int  `json:"coff,omitempty"`
	ROff        int  `json:"roff,omitempty"`
	AA          bool `json:"aa,omitempty"`
	Shapes      int  `json:"shapes,omitempty"`      // shapes that can be hit
	Lights      int  `json:"lights,omitempty"`      // including the ambient light
	Reflective  int  `json:"reflective,omitempty"`  // shapes with a reflective finish
	Transparent int  `json:"transparent,omitempty"` // shapes with a transparent finish
	TexmapBytes int  `json:"texmap_bytes,omitempty"`
	SceneBytes  int  `json:"scene_bytes,omitempty"`

	// Blur and enhance.
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Format string `json:"format,omitempty"` // jpg, jpeg, png, bmp, gif as the request named it

	// InputBytes is the size of the request's payload (scene + texmap, or the
	// encoded image).
	InputBytes int `json:"input_bytes,omitempty"`
	// InputHash is the hex SHA-256 of the inputs, so repeated inputs can be
	// recognised.
	InputHash string `json:"input_hash,omitempty"`

	// ProbeUnits is the work units a cheap probe of the input estimated
	// the request costs (package probe); 0 when it was not probed.
	ProbeUnits float64 `json:"probe_units,omitempty"`
}

// Pixels is the number of output pixels the request computes.
func (f Features) Pixels() int64 {
	if f.Kind == Raytracer {
		return int64(f.WCols) * int64(f.WRows)
	}
	return int64(f.Width) * int64(f.Height)
}
