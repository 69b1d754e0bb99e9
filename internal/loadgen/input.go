package loadgen

import (
	"bytes"
	"fmt"
	"io"

	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// Input is one request ready to send: its path, query and body, built
// once, and the features wire.Decode computes from them, which are those
// the load balancer sees.
type Input struct {
	Kind        workload.Kind
	Path        string // e.g. /raytracer
	Query       string // raw query string, "" for none
	Body        []byte
	ContentType string
	Features    workload.Features

	ctype []string // the Content-Type header's value, shared by every request
}

// body is a reader of the request body (http.Request.GetBody).
func (in *Input) body() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(in.Body)), nil }

// Content types of the request bodies, as the original's clients send
// them.
const (
	jsonType = "application/json"
	textType = "text/plain"
)

// RaytraceInput builds a ray-trace request: the original's JSON body with
// the scene and the texmap (nil: none) and the query of p.
func RaytraceInput(scene, texmap []byte, p wire.RaytraceParams) (*Input, error) {
	return newInput(workload.Raytracer, p.Query(), wire.RaytraceBody(scene, texmap), jsonType)
}

// ImageInput builds a blur or enhance request: the data URL of img named
// as format.
func ImageInput(kind workload.Kind, format string, img []byte) (*Input, error) {
	body, err := wire.ImageBody(format, img)
	if err != nil {
		return nil, err
	}
	return newInput(kind, "", body, textType)
}

// newInput decodes the request as a worker would, for its features; a
// request a worker would refuse is an error.
func newInput(kind workload.Kind, query string, body []byte, ctype string) (*Input, error) {
	_, f, err := wire.Decode(kind, query, body, wire.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("a worker would refuse the request: %w", err)
	}
	return &Input{Kind: kind, Path: kind.Path(), Query: query, Body: body, ContentType: ctype, Features: f, ctype: []string{ctype}}, nil
}
