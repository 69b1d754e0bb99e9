package wire

import (
	"errors"
	"io"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// errBadString: a JSON string with an escape that is not JSON; the
// message to give is encoding/json's (see jsonStringError).
var errBadString = errors.New("invalid JSON string")

// jsonStringReader streams the bytes a JSON string token decodes to,
// exactly as encoding/json decodes it (invalid UTF-8 and unpaired
// surrogates become U+FFFD), without holding them. The token's quotes and
// its lack of raw control characters are checked by the scanner that
// found it (jsonScanner.skipString); the escapes are checked here.
type jsonStringReader struct {
	s       []byte // what is left of the token's content
	pending []byte // an encoded rune that did not fit in the last Read
	rbuf    [utf8.UTFMax]byte
}

// newJSONStringReader reads the string token tok, quotes included.
func newJSONStringReader(tok []byte) *jsonStringReader {
	return &jsonStringReader{s: tok[1 : len(tok)-1]}
}

func (d *jsonStringReader) Read(p []byte) (int, error) {
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	for n < len(p) && len(d.s) > 0 {
		// A run of plain ASCII is copied as it is.
		run := 0
		for run < len(d.s) && run < len(p)-n && d.s[run] != '\\' && d.s[run] < utf8.RuneSelf {
			run++
		}
		if run > 0 {
			n += copy(p[n:], d.s[:run])
			d.s = d.s[run:]
			continue
		}
		r, ok := d.next()
		if !ok {
			return n, errBadString
		}
		w := utf8.EncodeRune(d.rbuf[:], r)
		k := copy(p[n:], d.rbuf[:w])
		n += k
		d.pending = d.rbuf[k:w]
	}
	if n == 0 && len(d.s) == 0 && len(d.pending) == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// next decodes the escape or the non-ASCII character d.s starts with.
func (d *jsonStringReader) next() (rune, bool) {
	s := d.s
	if s[0] != '\\' {
		r, size := utf8.DecodeRune(s)
		d.s = s[size:]
		return r, true // utf8.RuneError for invalid UTF-8, as encoding/json
	}
	if len(s) < 2 {
		return 0, false
	}
	switch c := s[1]; c {
	case '"', '\\', '/':
		d.s = s[2:]
		return rune(c), true
	case 'b':
		d.s = s[2:]
		return '\b', true
	case 'f':
		d.s = s[2:]
		return '\f', true
	case 'n':
		d.s = s[2:]
		return '\n', true
	case 'r':
		d.s = s[2:]
		return '\r', true
	case 't':
		d.s = s[2:]
		return '\t', true
	case 'u':
		r := getu4(s)
		if r < 0 {
			return 0, false
		}
		d.s = s[6:]
		if utf16.IsSurrogate(r) {
			if dec := utf16.DecodeRune(r, getu4(d.s)); dec != unicode.ReplacementChar {
				d.s = d.s[6:]
				return dec, true
			}
			return unicode.ReplacementChar, true
		}
		return r, true
	}
	return 0, false
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
