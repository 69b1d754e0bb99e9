package dataurl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// Payload is base64 text that NewPayload or ReadPayload found valid:
// standard base64, with CR and LF anywhere (skipped) and '=' padding that
// may be missing. Len is the number of bytes it decodes to; Reader streams
// them and Bytes returns them all, so a caller that only needs to look at
// the bytes (hash them, read an image header) never holds them whole. The
// zero Payload is empty.
type Payload struct {
	text func() io.Reader // opens the text
	n    int
}

// base64Error locates a problem in base64 text.
type base64Error struct {
	offset int // in the text
	msg    string
}

func (e *base64Error) Error() string { return fmt.Sprintf("byte %d: %s", e.offset, e.msg) }

// Offset is the position of the problem in the text.
func (e *base64Error) Offset() int { return e.offset }

// NewPayload checks base64 text without decoding it. An error says what
// is wrong and at which byte of text (its Offset method gives the
// position, for a caller that reports positions in a larger document).
// The Payload refers to text, which must not change.
func NewPayload(text []byte) (Payload, error) {
	return ReadPayload(func() io.Reader { return bytes.NewReader(text) })
}

// ReadPayload is NewPayload for base64 text that open streams (a JSON
// string being unescaped): it reads the text once to check it, and again
// for each Reader. An error of the text's reader is returned as it is.
func ReadPayload(open func() io.Reader) (Payload, error) {
	var (
		buf                   [4096]byte
		data, pads, off, last = 0, 0, 0, -1
		r                     = open()
	)
	for {
		n, err := r.Read(buf[:])
		for i, c := range buf[:n] {
			switch {
			case c == '\r' || c == '\n':
				continue
			case c == '=':
				pads++
				if pads > 2 {
					return Payload{}, &base64Error{off + i, "too much '=' padding"}
				}
			case isBase64Char(c):
				if pads > 0 {
					return Payload{}, &base64Error{off + i, fmt.Sprintf("data %q after '=' padding", c)}
				}
				data++
				last = off + i
			default:
				return Payload{}, &base64Error{off + i, fmt.Sprintf("unexpected %q", c)}
			}
		}
		off += n
		if err == io.EOF {
			break
		}
		if err != nil {
			return Payload{}, err
		}
	}
	switch {
	case data%4 == 1:
		return Payload{}, &base64Error{last, "truncated: a lone final character"}
	case pads > 0 && (data+pads)%4 != 0:
		return Payload{}, &base64Error{off - 1, "wrong '=' padding"}
	}
	return Payload{text: open, n: base64.RawStdEncoding.DecodedLen(data)}, nil
}

// Len is the number of bytes p decodes to.
func (p Payload) Len() int { return p.n }

// Bytes decodes p whole.
func (p Payload) Bytes() []byte {
	out := make([]byte, p.n)
	n, _ := io.ReadFull(p.Reader(), out)
	return out[:n]
}

// Reader streams the bytes p decodes to.
func (p Payload) Reader() io.Reader {
	if p.text == nil {
		return bytes.NewReader(nil)
	}
	return &payloadReader{text: p.text()}
}

// payloadReader decodes base64 a stage of characters at a time.
type payloadReader struct {
	text  io.Reader
	in    []byte // read from text, not yet staged
	inBuf [4096]byte
	done  bool   // the text ended, or its padding began
	out   []byte // decoded, not yet read
	stage [4096]byte
	dec   [3072]byte
}

func (r *payloadReader) Read(b []byte) (int, error) {
	for len(r.out) == 0 {
		if r.done && len(r.in) == 0 {
			return 0, io.EOF
		}
		// Gather base64 characters, skipping line breaks and stopping at
		// the padding, a multiple of four at a time but at the end.
		n := 0
		for n < len(r.stage) && !(r.done && len(r.in) == 0) {
			if len(r.in) == 0 {
				k, err := r.text.Read(r.inBuf[:])
				r.in = r.inBuf[:k]
				if err == io.EOF {
					r.done = true
				} else if err != nil {
					return 0, err
				}
				continue
			}
			c := r.in[0]
			if c == '=' {
				r.in, r.done = nil, true
				break
			}
			r.in = r.in[1:]
			if c != '\r' && c != '\n' {
				r.stage[n] = c
				n++
			}
		}
		m, err := base64.RawStdEncoding.Decode(r.dec[:], r.stage[:n])
		if err != nil {
			return 0, errors.Join(errors.New("base64 that was checked does not decode"), err)
		}
		r.out = r.dec[:m]
	}
	n := copy(b, r.out)
	r.out = r.out[n:]
	return n, nil
}
