package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// bodyHelp is what a ray-tracer request body should look like.
const bodyHelp = `want a JSON object {"scene": "<scene file as a string>", "texmap": [<bytes of the texture image as integers 0..255>]}`

// decodeRaytraceBody reads the original's JSON body: "scene" is the scene
// file as a JSON string and is required; "texmap", optional, is the texture
// image's bytes as an array of integers (0..255; -128..-1 are taken as
// signed bytes) or, beyond the original, as a base64 string. Other keys are
// ignored; a repeated key takes its last value; keys are case-sensitive.
//
// It is a small scanner rather than encoding/json because a texture of a
// megabyte is a million numbers: scanning them directly is about ten times
// faster.
func decodeRaytraceBody(body []byte) (scene, texmap []byte, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, NewError(statusBadRequest, "empty request body: "+bodyHelp, nil)
	}
	var (
		p        = jsonScanner{b: body}
		sceneTok []byte // the scene's raw JSON string, nil if absent or null
		texTok   []byte
	)
	bad := func(err error) ([]byte, []byte, error) {
		return nil, nil, NewError(statusBadRequest, "malformed JSON body: "+err.Error()+": "+bodyHelp, err)
	}
	p.skipSpace()
	if !p.consume('{') {
		if err := p.skipValue(); err == nil {
			return nil, nil, NewError(statusBadRequest, "the body is a JSON "+kindOf(body[bytes.IndexFunc(body, notSpace)])+", not an object: "+bodyHelp, nil)
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
					b, n, err := parseByteArray(p.b[p.i:])
					if err != nil {
						return nil, nil, NewError(statusBadRequest, `"texmap": `+err.Error(), err)
					}
					p.i += n
					texmap, texTok = b, nil
					if texmap == nil {
						texmap = []byte{}
					}
					break
				}
				if err := p.skipValue(); err != nil {
					return bad(err)
				}
				texTok, texmap = p.b[vs:p.i], nil
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
		return nil, nil, NewError(statusBadRequest, `missing "scene" in the JSON body: `+bodyHelp, nil)
	}
	if sceneTok[0] != '"' {
		return nil, nil, NewError(statusBadRequest, `"scene" is a JSON `+kindOf(sceneTok[0])+`, not a string: `+bodyHelp, nil)
	}
	var s string
	if err := json.Unmarshal(sceneTok, &s); err != nil {
		return bad(fmt.Errorf(`"scene": %w`, err))
	}
	if texTok != nil {
		if texmap, err = decodeTexmapToken(texTok); err != nil {
			return nil, nil, err
		}
	}
	return []byte(s), emptyToNil(texmap), nil
}

// decodeTexmapToken decodes a "texmap" value other than an array: null
// (none) or a base64 string.
func decodeTexmapToken(v []byte) ([]byte, error) {
	switch v[0] {
	case 'n':
		if string(v) == "null" {
			return nil, nil
		}
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, NewError(statusBadRequest, `"texmap" is not a valid JSON string: `+bodyHelp, err)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, NewError(statusBadRequest, fmt.Sprintf(`"texmap" string is not valid base64 (%v): want an array of byte values or a base64 string`, err), err)
		}
		return b, nil
	}
	return nil, NewError(statusBadRequest, `"texmap" is a JSON `+kindOf(v[0])+`, neither an array of byte values nor a base64 string: `+bodyHelp, nil)
}

func emptyToNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
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
