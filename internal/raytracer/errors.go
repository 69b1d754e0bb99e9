package raytracer

import "errors"

// Sentinel errors, for callers that map failures to responses.
var (
	// ErrLimit is wrapped by errors about a request above one of the Limits.
	ErrLimit = errors.New("above limit")
	// ErrNeedsTexmap is wrapped by the error for a scene with a texmap
	// pigment when no texture was given.
	ErrNeedsTexmap = errors.New("scene needs a texmap")
	// ErrTexmap is wrapped by errors about the texture image.
	ErrTexmap = errors.New("invalid texmap")
)
