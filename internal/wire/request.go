package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	"io"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/workload"
)

// Request is a decoded compute request: what to run, with its features.
// DecodeHeader fills in everything but the pixels (Scene has no texture
// pixels, Image is nil); DecodePixels adds them.
type Request struct {
	Kind     workload.Kind
	Features workload.Features
	// Multi is the original's multi flag. The output does not depend on it;
	// it is recorded for completeness.
	Multi bool

	// Ray tracer: the parsed scene and the render parameters.
	Scene  *raytracer.Scene
	Params raytracer.Params
	// Texmap is the header of the texture the scene's texmap pigments use;
	// nil when they use none.
	Texmap *raytracer.TexmapHeader

	// Blur and enhance: the format named by the data URL (lower case, e.g.
	// "jpg"), the encoded image (after DecodePixels), its header and its
	// encoding as its bytes show it ("jpeg", "png", "bmp" or "gif").
	Format   string
	Image    []byte
	Config   image.Config
	Encoding string

	tex     texSource       // the texture, until DecodePixels
	payload dataurl.Payload // the image, until DecodePixels
}

// Decode turns a compute request into a Request ready to run: Prepare,
// DecodeHeader, then DecodePixels.
func Decode(kind workload.Kind, rawQuery string, body []byte, lim Limits) (*Request, workload.Features, error) {
	req, f, err := DecodeHeader(kind, rawQuery, body, lim)
	if err != nil {
		return nil, f, err
	}
	if err := req.DecodePixels(); err != nil {
		return nil, f, err
	}
	return req, f, nil
}

// DecodeHeader reads what routing and admission need from a compute
// request, without running it or holding any pixel: for the ray tracer
// the query parameters, the JSON body and the scene, with its texture
// known by its header; for blur and enhance the data URL and the image
// header. It is Prepare, then Prepared.DecodeHeader.
//
// A bad request gives a nil Request and a *RequestError with the status to
// answer and a one-line message: 413 for an input above the limits (scene
// size, shapes, lights, texmap or image pixels), 415 for an image format
// that is not handled, 404 for an unknown workload, 400 for anything else.
// An image or texture whose header is sound but whose pixels are not is
// found by DecodePixels.
//
// The features are returned in either case: on success they are the
// Request's, the input hash (InputHash) included; on error they are those
// known before the error (the render parameters of a scene that failed to
// parse, the dimensions of a decompression bomb, at least the workload),
// for the record of the refused request.
func DecodeHeader(kind workload.Kind, rawQuery string, body []byte, lim Limits) (*Request, workload.Features, error) {
	p, f, err := Prepare(kind, rawQuery, body, lim)
	if err != nil {
		return nil, f, err
	}
	return p.DecodeHeader()
}

// Prepared is a compute request whose query and body structure are
// checked and nothing is decoded yet, so that a server can reserve the
// memory decoding its header needs (Memory) before it allocates it.
type Prepared struct {
	kind workload.Kind
	f    workload.Features
	lim  Limits
	body []byte

	// Ray tracer.
	multi  bool
	params raytracer.Params
	ray    rayBody
}

// Prepare reads a compute request's query and checks the structure of its
// body, allocating next to nothing: for the ray tracer the query
// parameters, the JSON body's syntax, the scene's string (measured, not
// decoded) and the texture's byte values or base64 (checked, not decoded);
// for blur and enhance nothing yet. Its errors and features are those of
// DecodeHeader.
func Prepare(kind workload.Kind, rawQuery string, body []byte, lim Limits) (*Prepared, workload.Features, error) {
	p := &Prepared{kind: kind, f: workload.Features{Kind: kind}, lim: lim, body: body}
	switch kind {
	case workload.Raytracer:
		if err := p.prepareRaytrace(rawQuery); err != nil {
			return nil, p.f, err
		}
	case workload.Blur, workload.Enhance:
	default:
		return nil, p.f, NewError(statusNotFound, fmt.Sprintf("unknown workload %q: want raytracer, blurimage or enhanceimage", kind), nil)
	}
	return p, p.f, nil
}

// headerScratch bounds the buffers a body streams through while its
// header is decoded: the base64 and JSON readers, the header readers of
// the image decoders (a JPEG's Huffman tables), the hash.
const headerScratch = 128 << 10

// Memory bounds what DecodeHeader allocates: for the ray tracer the scene's
// text and what a scene parsed from it holds (raytracer.SceneMemory), for
// blur and enhance nothing but a form-encoded body's copy
// (dataurl.OpenMemory), plus the fixed buffers bodies stream through. No
// texture or image is held: it does not grow with them.
func (p *Prepared) Memory() int64 {
	switch p.kind {
	case workload.Raytracer:
		if p.ray.sceneLen > p.lim.Scene.MaxSceneBytes {
			return headerScratch // refused before it is decoded
		}
		return headerScratch + raytracer.SceneMemory(p.ray.sceneLen, p.lim.Scene)
	default:
		return headerScratch + dataurl.OpenMemory(p.body)
	}
}

// DecodeHeader decodes the request's header: the scene (with the texture
// known by its header) or the image's header, streaming the texture or the
// image once through the input hash and the header reader, never holding
// it whole. See the function DecodeHeader.
func (p *Prepared) DecodeHeader() (*Request, workload.Features, error) {
	if p.kind == workload.Raytracer {
		return p.decodeRaytrace()
	}
	return decodeImage(p.kind, p.body, p.lim.Image)
}

// DecodeHeaderOnly is DecodeHeader for a blur or enhance request without
// the input hash (Features.InputHash is empty): it decodes the image's
// base64 only as far as the image's header, which it reads without
// counting a JPEG's scans (codec.ReadHeader), so that a load balancer can
// route a large image without decoding it whole. What it leaves unread,
// bad base64 past the header or a JPEG of too many scans, DecodeHeader and
// Decode refuse with the same status and message. For the ray tracer it is
// DecodeHeader.
func (p *Prepared) DecodeHeaderOnly() (*Request, workload.Features, error) {
	if p.kind == workload.Raytracer {
		return p.decodeRaytrace()
	}
	return decodeImageHeader(p.kind, p.body, p.lim.Image)
}

// DecodePixels decodes what DecodeHeader left: the texture's pixels into
// the scene, or the encoded image into Image (whose pixels DecodeImage
// decodes). An error is a *RequestError as Decode gives it: 413 for a
// texture above the limits, 400 for one that does not decode. It does
// nothing the second time.
func (r *Request) DecodePixels() error {
	switch r.Kind {
	case workload.Raytracer:
		if r.tex.n == 0 {
			return nil
		}
		tex := r.tex.bytes()
		r.tex = texSource{}
		if err := r.Scene.DecodeTexture(tex); err != nil {
			return sceneError(err)
		}
	case workload.Blur, workload.Enhance:
		if r.Image == nil {
			r.Image = r.payload.Bytes()
			r.payload = dataurl.Payload{}
		}
	}
	return nil
}

func (p *Prepared) prepareRaytrace(rawQuery string) error {
	f := &p.f
	q, err := parseRaytraceQuery(rawQuery)
	if err != nil {
		return err
	}
	f.SCols, f.SRows, f.WCols, f.WRows, f.COff, f.ROff, f.AA = q.SCols, q.SRows, q.WCols, q.WRows, q.COff, q.ROff, q.AA
	p.multi, p.params = q.Multi, q.render()
	if err := p.params.Validate(p.lim.Scene); err != nil {
		return NewError(statusBadRequest, "bad render parameters: "+err.Error(), err)
	}
	if p.ray, err = decodeRaytraceBody(p.body); err != nil {
		return err
	}
	f.TexmapBytes, f.SceneBytes = p.ray.tex.n, p.ray.sceneLen
	f.InputBytes = p.ray.sceneLen + p.ray.tex.n
	return nil
}

func (p *Prepared) decodeRaytrace() (*Request, workload.Features, error) {
	f, lim, rb := p.f, p.lim.Scene, p.ray
	if err := raytracer.CheckSceneSize(rb.sceneLen, lim); err != nil {
		return nil, f, sceneError(err)
	}
	scene := rb.scene()
	// One pass over the texture: through the input hash, after the
	// scene, and its header.
	h := sha256.New()
	h.Write(scene)
	var hdr *raytracer.TexmapHeader
	if rb.tex.n > 0 {
		r := rb.tex.open()
		th := raytracer.ReadTexmapHeader(io.TeeReader(r, h), int64(rb.tex.n))
		_, _ = io.Copy(h, r)
		hdr = &th
	}
	f.InputHash = hexSum(h)
	s, err := raytracer.ParseSceneHeader(scene, hdr, lim)
	if err != nil {
		return nil, f, sceneError(err)
	}
	info := s.Info()
	f.Shapes, f.Lights, f.Reflective, f.Transparent = info.Shapes, info.Lights, info.Reflective, info.Transparent
	req := &Request{
		Kind:     workload.Raytracer,
		Multi:    p.multi,
		Scene:    s,
		Params:   p.params,
		Features: f,
	}
	if info.TexmapWidth > 0 {
		req.Texmap, req.tex = hdr, rb.tex
	}
	return req, f, nil
}

// sceneError is the refusal of a scene or texture error: 413 for one
// above the limits, 400 otherwise.
func sceneError(err error) error {
	status := statusBadRequest
	if errors.Is(err, raytracer.ErrLimit) || errors.Is(err, codec.ErrTooLarge) {
		status = statusRequestEntityTooLarge
	}
	return NewError(status, err.Error(), err)
}

// InputHash is the hex SHA-256 of a request's inputs, in order: the scene
// then the texmap for the ray tracer, the encoded image (after base64
// decoding) for blur and enhance.
func InputHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hexSum(h)
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
