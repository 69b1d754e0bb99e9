package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/workload"
)

// Request is a decoded compute request: what to run, with its features.
type Request struct {
	Kind     workload.Kind
	Features workload.Features
	// Multi is the original's multi flag. The output does not depend on it;
	// it is recorded for completeness.
	Multi bool

	// Ray tracer: the parsed scene and the render parameters.
	Scene  *raytracer.Scene
	Params raytracer.Params

	// Blur and enhance: the format named by the data URL (lower case, e.g.
	// "jpg"), the encoded image and its header.
	Format string
	Image  []byte
	Config image.Config
}

// Decode turns a compute request into a Request without running it: for
// the ray tracer it reads the query parameters, the JSON body and parses
// the scene (and decodes its texmap); for blur and enhance it reads the
// data URL and the image header (not the pixels). Features are filled in,
// including the input hash (InputHash).
//
// A bad request gives a nil Request and a *RequestError with the status to
// answer and a one-line message: 413 for an input above the limits (scene
// size, shapes, lights, texmap or image pixels), 415 for an image format
// that is not handled, 404 for an unknown workload, 400 for anything else.
//
// The features are returned in either case: on success they are the
// Request's; on error they are those known before the error (the render
// parameters of a scene that failed to parse, the dimensions of a
// decompression bomb, at least the workload), for the record of the refused
// request.
func Decode(kind workload.Kind, rawQuery string, body []byte, lim Limits) (*Request, workload.Features, error) {
	switch kind {
	case workload.Raytracer:
		return decodeRaytrace(rawQuery, body, lim.Scene)
	case workload.Blur, workload.Enhance:
		return decodeImage(kind, body, lim.Image)
	}
	return nil, workload.Features{Kind: kind}, NewError(statusNotFound, fmt.Sprintf("unknown workload %q: want raytracer, blurimage or enhanceimage", kind), nil)
}

func decodeRaytrace(rawQuery string, body []byte, lim raytracer.Limits) (*Request, workload.Features, error) {
	f := workload.Features{Kind: workload.Raytracer}
	q, err := parseRaytraceQuery(rawQuery)
	if err != nil {
		return nil, f, err
	}
	f.SCols, f.SRows, f.WCols, f.WRows, f.COff, f.ROff, f.AA = q.SCols, q.SRows, q.WCols, q.WRows, q.COff, q.ROff, q.AA
	p := q.render()
	if err := p.Validate(lim); err != nil {
		return nil, f, NewError(statusBadRequest, "bad render parameters: "+err.Error(), err)
	}
	scene, texmap, err := decodeRaytraceBody(body)
	if err != nil {
		return nil, f, err
	}
	f.TexmapBytes, f.SceneBytes = len(texmap), len(scene)
	f.InputBytes = len(scene) + len(texmap)
	f.InputHash = InputHash(scene, texmap)
	s, err := raytracer.ParseScene(scene, texmap, lim)
	if err != nil {
		status := statusBadRequest
		if errors.Is(err, raytracer.ErrLimit) || errors.Is(err, codec.ErrTooLarge) {
			status = statusRequestEntityTooLarge
		}
		return nil, f, NewError(status, err.Error(), err)
	}
	info := s.Info()
	f.Shapes, f.Lights, f.Reflective, f.Transparent = info.Shapes, info.Lights, info.Reflective, info.Transparent
	return &Request{
		Kind:     workload.Raytracer,
		Multi:    q.Multi,
		Scene:    s,
		Params:   p,
		Features: f,
	}, f, nil
}

// InputHash is the hex SHA-256 of a request's inputs, in order: the scene
// then the texmap for the ray tracer, the encoded image (after base64
// decoding) for blur and enhance.
func InputHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}
