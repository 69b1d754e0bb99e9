package worker

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
		return nil, nil, reqErr(http.StatusBadRequest, "empty request body: "+bodyHelp, nil)
	}
	var (
		p        = jsonScanner{b: body}
		sceneTok []byte // the scene's raw JSON string, nil if absent or null
		texTok   []byte
	)
	bad := func(err error) ([]byte, []byte, error) {
		return nil, nil, reqErr(http.StatusBadRequest, "malformed JSON body: "+err.Error()+": "+bodyHelp, err)
	}
	p.skipSpace()
	if !p.consume('{') {
		if err := p.skipValue(); err == nil {
			return nil, nil, reqErr(http.StatusBadRequest, "the body is a JSON "+kindOf(body[bytes.IndexFunc(body, notSpace)])+", not an object: "+bodyHelp, nil)
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
						return nil, nil, reqErr(http.StatusBadRequest, `"texmap": `+err.Error(), err)
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
		return nil, nil, reqErr(http.StatusBadRequest, `missing "scene" in the JSON body: `+bodyHelp, nil)
	}
	if sceneTok[0] != '"' {
		return nil, nil, reqErr(http.StatusBadRequest, `"scene" is a JSON `+kindOf(sceneTok[0])+`, not a string: `+bodyHelp, nil)
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
			return nil, reqErr(http.StatusBadRequest, `"texmap" is not a valid JSON string: `+bodyHelp, err)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, reqErr(http.StatusBadRequest, fmt.Sprintf(`"texmap" string is not valid base64 (%v): want an array of byte values or a base64 string`, err), err)
		}
		return b, nil
	}
	return nil, reqErr(http.StatusBadRequest, `"texmap" is a JSON `+kindOf(v[0])+`, neither an array of byte values nor a base64 string: `+bodyHelp, nil)
}

func emptyToNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func notSpace(r rune) bool { return r != ' ' && r != '\t' && r != '\n' && r != '\r' }

// kindOf names the JSON type of a value by its first byte.
func kindOf(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	}
	return "number"
}

// jsonScanner walks JSON text.
type jsonScanner struct {
	b []byte
	i int
}

func (p *jsonScanner) errorf(format string, a ...any) error {
	what := "end of input"
	if p.i < len(p.b) {
		what = fmt.Sprintf("%q", p.b[p.i])
	}
	return fmt.Errorf("at byte %d (%s): %s", p.i, what, fmt.Sprintf(format, a...))
}

func (p *jsonScanner) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonScanner) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jsonScanner) consume(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// skipString moves past a JSON string (its escapes are checked when it is
// decoded).
func (p *jsonScanner) skipString() error {
	if !p.consume('"') {
		return p.errorf("want a string")
	}
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return nil
		case c == '\\':
			p.i += 2
		case c < 0x20:
			return p.errorf("control character in a string")
		default:
			p.i++
		}
	}
	p.i = len(p.b)
	return p.errorf("unterminated string")
}

// maxDepth bounds the nesting of ignored JSON values.
const maxDepth = 100

// skipValue moves past one JSON value and checks that it is valid JSON.
func (p *jsonScanner) skipValue() error {
	start := p.i
	depth := 0
	for {
		p.skipSpace()
		switch c := p.peek(); {
		case c == '"':
			if err := p.skipString(); err != nil {
				return err
			}
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return p.errorf("nested deeper than %d", maxDepth)
			}
			p.i++
			continue
		case c == '}' || c == ']':
			if depth == 0 {
				return p.errorf("want a value")
			}
			depth--
			p.i++
		case c == ',' || c == ':':
			if depth == 0 {
				return p.errorf("want a value")
			}
			p.i++
			continue
		case c == 0 && p.i >= len(p.b):
			return p.errorf("want a value")
		default: // number or literal
			s := p.i
			for p.i < len(p.b) && bytes.IndexByte([]byte(" \t\r\n,:]}[{\""), p.b[p.i]) < 0 {
				p.i++
			}
			if s == p.i {
				return p.errorf("want a value")
			}
		}
		if depth == 0 {
			if !json.Valid(p.b[start:p.i]) {
				p.i = start
				return p.errorf("invalid JSON value")
			}
			return nil
		}
	}
}

// parseByteArray parses the JSON array of integers in -128..255 that v
// starts with, into bytes, and returns the number of bytes of v it used.
func parseByteArray(v []byte) ([]byte, int, error) {
	i := 0
	skip := func() {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
			i++
		}
	}
	skip()
	if i >= len(v) || v[i] != '[' {
		return nil, 0, errors.New("want an array")
	}
	i++
	out := make([]byte, 0, min(len(v)/2, 1<<20))
	skip()
	if i < len(v) && v[i] == ']' {
		return out, i + 1, nil
	}
	for idx := 0; ; idx++ {
		skip()
		start := i
		neg := false
		if i < len(v) && v[i] == '-' {
			neg = true
			i++
		}
		n, digits := 0, 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			if n <= 1000 {
				n = n*10 + int(v[i]-'0')
			}
			digits++
			i++
		}
		if digits == 0 || (i < len(v) && (v[i] == '.' || v[i] == 'e' || v[i] == 'E')) {
			end := i
			for end < len(v) && v[end] != ',' && v[end] != ']' && end-start < 20 {
				end++
			}
			return nil, 0, fmt.Errorf("element %d (%q) is not an integer: want byte values 0..255", idx, v[start:end])
		}
		if neg {
			n = -n
		}
		if n < -128 || n > 255 {
			return nil, 0, fmt.Errorf("element %d is %s, out of range: want byte values 0..255", idx, v[start:i])
		}
		out = append(out, byte(n))
		skip()
		if i >= len(v) {
			return nil, 0, errors.New("unterminated array")
		}
		switch v[i] {
		case ',':
			i++
		case ']':
			return out, i + 1, nil
		default:
			return nil, 0, fmt.Errorf("unexpected %q after element %d: want ',' or ']'", v[i], idx)
		}
	}
}
