package worker

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"net/http"
	"strings"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
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
// including the input hash (InputHash). A bad request gives a
// *RequestError with the status to answer and a one-line message: 413 for
// an input above the limits (scene size, shapes, lights, texmap or image
// pixels), 415 for an image format the worker does not handle, 400 for
// anything else.
func Decode(kind workload.Kind, rawQuery string, body []byte, lim Limits) (*Request, error) {
	req, _, err := decode(kind, rawQuery, body, lim)
	return req, err
}

// decode is Decode that also returns, on error, the features known before
// the error (for the record of a refused request).
func decode(kind workload.Kind, rawQuery string, body []byte, lim Limits) (*Request, workload.Features, error) {
	switch kind {
	case workload.Raytracer:
		return decodeRaytrace(rawQuery, body, lim.Scene)
	case workload.Blur, workload.Enhance:
		return decodeImage(kind, body, lim.Image)
	}
	return nil, workload.Features{Kind: kind}, reqErr(http.StatusNotFound, fmt.Sprintf("unknown workload %q: want raytracer, blurimage or enhanceimage", kind), nil)
}

func decodeRaytrace(rawQuery string, body []byte, lim raytracer.Limits) (*Request, workload.Features, error) {
	f := workload.Features{Kind: workload.Raytracer}
	q := parseQuery(rawQuery)
	var p raytracer.Params
	for _, fld := range []struct {
		name string
		dst  *int
	}{
		{"scols", &p.SCols}, {"srows", &p.SRows}, {"wcols", &p.WCols},
		{"wrows", &p.WRows}, {"coff", &p.COff}, {"roff", &p.ROff},
	} {
		v, err := intParam(q, fld.name)
		if err != nil {
			return nil, f, err
		}
		*fld.dst = v
	}
	p.AA = boolParam(q, "aa")
	f.SCols, f.SRows, f.WCols, f.WRows, f.COff, f.ROff, f.AA = p.SCols, p.SRows, p.WCols, p.WRows, p.COff, p.ROff, p.AA
	if err := p.Validate(lim); err != nil {
		return nil, f, reqErr(http.StatusBadRequest, "bad render parameters: "+err.Error(), err)
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
		status := http.StatusBadRequest
		if errors.Is(err, raytracer.ErrLimit) || errors.Is(err, codec.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		return nil, f, reqErr(status, err.Error(), err)
	}
	info := s.Info()
	f.Shapes, f.Lights, f.Reflective, f.Transparent = info.Shapes, info.Lights, info.Reflective, info.Transparent
	return &Request{
		Kind:     workload.Raytracer,
		Multi:    boolParam(q, "multi"),
		Scene:    s,
		Params:   p,
		Features: f,
	}, f, nil
}

// imageHelp is what an image request body should look like.
const imageHelp = "want a body data:image/<jpg|jpeg|png|bmp|gif>;base64,<base64 of the image file>"

func decodeImage(kind workload.Kind, body []byte, lim codec.Limits) (*Request, workload.Features, error) {
	f := workload.Features{Kind: kind}
	format, data, err := dataurl.Parse(body)
	if err != nil {
		return nil, f, imageError(err, "")
	}
	f.Format, f.InputBytes, f.InputHash = format, len(data), InputHash(data)
	cfg, _, err := codec.DecodeConfig(data, lim)
	f.Width, f.Height = cfg.Width, cfg.Height
	if err != nil {
		return nil, f, imageError(err, "")
	}
	return &Request{Kind: kind, Format: format, Image: data, Config: cfg, Features: f}, f, nil
}

// imageError maps the data-URL and codec errors to their status: an
// unsupported format is 415, an image beyond the limits 413, anything else
// 400.
func imageError(err error, prefix string) error {
	msg := prefix + err.Error()
	switch {
	case errors.Is(err, codec.ErrUnsupportedFormat):
		return reqErr(http.StatusUnsupportedMediaType, msg, err)
	case errors.Is(err, codec.ErrTooLarge):
		return reqErr(http.StatusRequestEntityTooLarge, msg, err)
	}
	if !strings.Contains(msg, "want") {
		msg += ": " + imageHelp
	}
	return reqErr(http.StatusBadRequest, msg, err)
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
