package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

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

// validEscapes reports whether the escapes of the JSON string token tok
// (which skipString found closed and free of control characters) are all
// valid, as encoding/json checks them: \" \\ \/ \b \f \n \r \t and \u with
// four hex digits.
func validEscapes(tok []byte) bool {
	for {
		k := bytes.IndexByte(tok, '\\')
		if k < 0 {
			return true
		}
		if k+1 >= len(tok) {
			return false
		}
		switch tok[k+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			tok = tok[k+2:]
		case 'u':
			if k+6 > len(tok) {
				return false
			}
			for _, c := range tok[k+2 : k+6] {
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
					return false
				}
			}
			tok = tok[k+6:]
		default:
			return false
		}
	}
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
			if v := bytes.TrimLeft(p.b[start:p.i], " \t\r\n"); v[0] == '"' && validEscapes(v) {
				return nil // a string skipString found closed, its escapes sound
			}
			if !json.Valid(p.b[start:p.i]) {
				p.i = start
				return p.errorf("invalid JSON value")
			}
			return nil
		}
	}
}

// parseByteArray checks the JSON array of integers in -128..255 that v
// starts with, and returns how many elements it has and the number of
// bytes of v it used. It allocates nothing: byteArrayReader reads the
// bytes the array holds.
func parseByteArray(v []byte) (count, used int, err error) {
	i := 0
	skip := func() {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
			i++
		}
	}
	skip()
	if i >= len(v) || v[i] != '[' {
		return 0, 0, errors.New("want an array")
	}
	i++
	skip()
	if i < len(v) && v[i] == ']' {
		return 0, i + 1, nil
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
			return 0, 0, fmt.Errorf("element %d (%q) is not an integer: want byte values 0..255", idx, v[start:end])
		}
		if neg {
			n = -n
		}
		if n < -128 || n > 255 {
			return 0, 0, fmt.Errorf("element %d is %s, out of range: want byte values 0..255", idx, v[start:i])
		}
		skip()
		if i >= len(v) {
			return 0, 0, errors.New("unterminated array")
		}
		switch v[i] {
		case ',':
			i++
		case ']':
			return idx + 1, i + 1, nil
		default:
			return 0, 0, fmt.Errorf("unexpected %q after element %d: want ',' or ']'", v[i], idx)
		}
	}
}

// byteArrayReader streams the bytes of a JSON array that parseByteArray
// accepted (v is the array's text, brackets included): its integers, -128
// to -1 read as signed bytes.
type byteArrayReader struct {
	v []byte
	i int
}

func (r *byteArrayReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		// Past '[', ',' and white space to the next element, or ']'.
		for r.i < len(r.v) && r.v[r.i] != '-' && (r.v[r.i] < '0' || r.v[r.i] > '9') && r.v[r.i] != ']' {
			r.i++
		}
		if r.i >= len(r.v) || r.v[r.i] == ']' {
			r.i = len(r.v)
			break
		}
		neg := r.v[r.i] == '-'
		if neg {
			r.i++
		}
		x := 0
		for r.i < len(r.v) && r.v[r.i] >= '0' && r.v[r.i] <= '9' {
			x = x*10 + int(r.v[r.i]-'0')
			r.i++
		}
		if neg {
			x = -x
		}
		p[n] = byte(x)
		n++
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}
