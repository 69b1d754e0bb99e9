package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/specialvfx/vfx/internal/dataurl"
)

// bodyHelp is what a ray-tracer request body should look like.
const bodyHelp = `want a JSON object {"scene": "<scene file as a string>", "texmap": [<bytes of the texture image as integers 0..255>]}`

// texSource is a request's texture as its body carries it, checked: n
// bytes that open streams, decoded from the body as they are read.
type texSource struct {
	n    int
	open func() io.Reader
}

// bytes reads the texture whole.
func (t texSource) bytes() []byte {
	if t.n == 0 {
		return nil
	}
	b := make([]byte, t.n)
	n, _ := io.ReadFull(t.open(), b)
	return b[:n]
}

// rayBody is a ray-tracer request's JSON body, checked.
type rayBody struct {
	sceneTok []byte // the scene's JSON string, quotes included
	sceneLen int    // the length of the text it decodes to
	tex      texSource
}

// scene decodes the scene's text.
func (rb rayBody) scene() []byte { return decodeJSONString(rb.sceneTok, rb.sceneLen) }

// decodeRaytraceBody reads the original's JSON body: "scene" is the scene
// file as a JSON string and is required; "texmap", optional, is the texture
// image's bytes as an array of integers (0..255; -128..-1 are taken as
// signed bytes) or, beyond the original, as a base64 string (line breaks
// allowed, padding optional). Other keys are ignored; a repeated key takes
// its last value; keys are case-sensitive.
//
// It is a small scanner rather than encoding/json because a texture of a
// megabyte is a million numbers: scanning them directly is about ten times
// faster. Nor does it decode anything: it checks the scene's string and
// measures its text, checks the texture and returns a source that decodes
// it as it is read.
func decodeRaytraceBody(body []byte) (rayBody, error) {
	var rb rayBody
	if len(bytes.TrimSpace(body)) == 0 {
		return rb, NewError(statusBadRequest, "empty request body: "+bodyHelp, nil)
	}
	var (
		p        = jsonScanner{b: body}
		sceneTok []byte // the scene's raw JSON string, nil if absent or null
		texTok   []byte
	)
	bad := func(err error) (rayBody, error) {
		return rayBody{}, NewError(statusBadRequest, "malformed JSON body: "+err.Error()+": "+bodyHelp, err)
	}
	p.skipSpace()
	if !p.consume('{') {
		if err := p.skipValue(); err == nil {
			return rb, NewError(statusBadRequest, "the body is a JSON "+kindOf(body[bytes.IndexFunc(body, notSpace)])+", not an object: "+bodyHelp, nil)
		}
		return bad(p.errorf("want '{'"))
	}
	p.skipSpace()
	if !p.consume('}') {
		for {
			p.skipSpace()
			ks := p.i
			if err := p.skipString(); err != nil {
				return bad(err)
			}
			key := p.b[ks:p.i]
			p.skipSpace()
			if !p.consume(':') {
				return bad(p.errorf("want ':' after a key"))
			}
			p.skipSpace()
			vs := p.i
			switch string(key) {
			case `"texmap"`:
				if p.peek() == '[' {
					n, used, err := parseByteArray(p.b[p.i:])
					if err != nil {
						return rb, NewError(statusBadRequest, `"texmap": `+err.Error(), err)
					}
					arr := p.b[p.i : p.i+used]
					p.i += used
					rb.tex, texTok = texSource{n: n, open: func() io.Reader { return &byteArrayReader{v: arr} }}, nil
					break
				}
				if err := p.skipValue(); err != nil {
					return bad(err)
				}
				texTok, rb.tex = p.b[vs:p.i], texSource{}
			default:
				if err := p.skipValue(); err != nil {
					return bad(err)
				}
				if string(key) == `"scene"` {
					sceneTok = p.b[vs:p.i]
				}
			}
			p.skipSpace()
			if p.consume('}') {
				break
			}
			if !p.consume(',') {
				return bad(p.errorf("want ',' or '}'"))
			}
		}
	}
	p.skipSpace()
	if p.i < len(p.b) {
		return bad(p.errorf("unexpected data after the object"))
	}

	if sceneTok == nil || string(sceneTok) == "null" {
		return rb, NewError(statusBadRequest, `missing "scene" in the JSON body: `+bodyHelp, nil)
	}
	if sceneTok[0] != '"' {
		return rb, NewError(statusBadRequest, `"scene" is a JSON `+kindOf(sceneTok[0])+`, not a string: `+bodyHelp, nil)
	}
	var err error
	rb.sceneTok = sceneTok
	if rb.sceneLen, err = jsonStringLen(sceneTok); err != nil {
		return bad(fmt.Errorf(`"scene": %w`, err))
	}
	if texTok != nil {
		if rb.tex, err = decodeTexmapToken(texTok); err != nil {
			return rayBody{}, err
		}
	}
	return rb, nil
}

// jsonStringLen is the length of the text the JSON string token tok
// (quotes included) decodes to, as encoding/json decodes it; an invalid
// escape gives encoding/json's error.
func jsonStringLen(tok []byte) (int, error) {
	r := newJSONStringReader(tok)
	var scratch [4096]byte
	n := 0
	for {
		k, err := r.Read(scratch[:])
		n += k
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, jsonStringError(tok, err)
		}
	}
}

// decodeJSONString decodes the JSON string token tok, whose text is n
// bytes long (jsonStringLen).
func decodeJSONString(tok []byte, n int) []byte {
	b := make([]byte, n)
	k, _ := io.ReadFull(newJSONStringReader(tok), b)
	return b[:k]
}

// jsonStringError is encoding/json's error for a string token it refuses
// (it checks the token before decoding anything), or err.
func jsonStringError(tok []byte, err error) error {
	var s string
	if jerr := json.Unmarshal(tok, &s); jerr != nil {
		return jerr
	}
	return err
}

// decodeTexmapToken decodes a "texmap" value other than an array: null
// (none) or a base64 string.
func decodeTexmapToken(v []byte) (texSource, error) {
	switch v[0] {
	case 'n':
		if string(v) == "null" {
			return texSource{}, nil
		}
	case '"':
		p, err := dataurl.ReadPayload(func() io.Reader { return newJSONStringReader(v) })
		if errors.Is(err, errBadString) {
			return texSource{}, NewError(statusBadRequest, `"texmap" is not a valid JSON string: `+bodyHelp, jsonStringError(v, err))
		}
		if err != nil {
			return texSource{}, NewError(statusBadRequest, fmt.Sprintf(`"texmap" string is not valid base64 (%v): want an array of byte values or a base64 string`, err), err)
		}
		return texSource{n: p.Len(), open: p.Reader}, nil
	}
	return texSource{}, NewError(statusBadRequest, `"texmap" is a JSON `+kindOf(v[0])+`, neither an array of byte values nor a base64 string: `+bodyHelp, nil)
}

// RaytraceBody builds the original's JSON body of /raytracer: the scene as
// a string and the texmap, if not nil, as an array of byte values (0..255),
// as the original's client scripts send it.
func RaytraceBody(scene, texmap []byte) []byte {
	s, _ := json.Marshal(string(scene)) // a string always marshals
	b := make([]byte, 0, len(s)+4*len(texmap)+32)
	b = append(b, `{"scene":`...)
	b = append(b, s...)
	if texmap != nil {
		b = append(b, `,"texmap":[`...)
		for i, v := range texmap {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(v), 10)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}
