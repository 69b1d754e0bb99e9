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
	raw  []byte           // the text, when NewPayload made p from bytes
	n    int
	// unchecked: raw's characters are checked as they are read (Scan);
	// a bad one is reported as bad(the checker's error).
	unchecked bool
	bad       func(error) error
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
	var c checker
	if err := c.feed(text); err != nil {
		return Payload{}, err
	}
	n, err := c.end()
	if err != nil {
		return Payload{}, err
	}
	return Payload{text: func() io.Reader { return bytes.NewReader(text) }, raw: text, n: n}, nil
}

// ReadPayload is NewPayload for base64 text that open streams (a JSON
// string being unescaped): it reads the text once to check it, and again
// for each Reader. An error of the text's reader is returned as it is.
func ReadPayload(open func() io.Reader) (Payload, error) {
	var (
		buf [4096]byte
		c   checker
		r   = open()
	)
	for {
		n, err := r.Read(buf[:])
		if cerr := c.feed(buf[:n]); cerr != nil {
			return Payload{}, cerr
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return Payload{}, err
		}
	}
	n, err := c.end()
	if err != nil {
		return Payload{}, err
	}
	return Payload{text: open, n: n}, nil
}

// check checks text whole, as NewPayload does.
func check(text []byte) error {
	var c checker
	if err := c.feed(text); err != nil {
		return err
	}
	_, err := c.end()
	return err
}

// countPayload is NewPayload but for the characters before the padding,
// which it only counts: the payload's Reader checks them as it decodes
// them, and reports a bad one as bad(the error NewPayload would give). A
// text whose count or padding is wrong is checked whole at once.
func countPayload(text []byte, bad func(error) error) (Payload, error) {
	head, tail := text, []byte(nil)
	if i := bytes.IndexByte(text, '='); i >= 0 {
		head, tail = text[:i], text[i:]
	}
	data := len(head) - bytes.Count(head, []byte{'\n'}) - bytes.Count(head, []byte{'\r'})
	pads := bytes.Count(tail, []byte{'='})
	if data%4 == 1 || pads > 2 || pads > 0 && (data+pads)%4 != 0 ||
		pads+bytes.Count(tail, []byte{'\n'})+bytes.Count(tail, []byte{'\r'}) != len(tail) {
		if err := check(text); err != nil {
			return Payload{}, err
		}
	}
	return Payload{text: func() io.Reader { return bytes.NewReader(text) }, raw: text,
		n: base64.RawStdEncoding.DecodedLen(data), unchecked: true, bad: bad}, nil
}

// isData marks the characters of standard base64 but '='.
var isData = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isBase64Char(byte(c))
	}
	return t
}()

// checker checks base64 text fed to it in pieces: data characters, CR and
// LF anywhere, then at most two '='.
type checker struct {
	data, pads, off int
	last            int // offset of the last data character, -1 before one
	started         bool
}

// feed checks the next piece of the text. Runs of data characters, all
// but the end of the text, are skipped a table look-up at a time.
func (c *checker) feed(b []byte) error {
	if !c.started {
		c.started, c.last = true, -1
	}
	for i := 0; i < len(b); i++ {
		if c.pads == 0 {
			j := i
			for j < len(b) && isData[b[j]] {
				j++
			}
			if j > i {
				c.data += j - i
				c.last = c.off + j - 1
				if i = j; i == len(b) {
					break
				}
			}
		}
		switch ch := b[i]; {
		case ch == '\r' || ch == '\n':
		case ch == '=':
			c.pads++
			if c.pads > 2 {
				return &base64Error{c.off + i, "too much '=' padding"}
			}
		case isData[ch]: // after the padding: data is skipped above before it
			return &base64Error{c.off + i, fmt.Sprintf("data %q after '=' padding", ch)}
		default:
			return &base64Error{c.off + i, fmt.Sprintf("unexpected %q", ch)}
		}
	}
	c.off += len(b)
	return nil
}

// end checks the end of the text and returns the number of bytes it
// decodes to.
func (c *checker) end() (int, error) {
	switch {
	case c.data%4 == 1:
		return 0, &base64Error{c.last, "truncated: a lone final character"}
	case c.pads > 0 && (c.data+c.pads)%4 != 0:
		return 0, &base64Error{c.off - 1, "wrong '=' padding"}
	}
	return base64.RawStdEncoding.DecodedLen(c.data), nil
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
	if p.raw != nil {
		text := p.raw
		if i := bytes.IndexByte(text, '='); i >= 0 {
			text = text[:i] // the padding, checked: nothing but line breaks follow
		}
		r := &rawReader{text: text}
		if p.unchecked {
			r.check = func() error { return p.bad(check(p.raw)) }
		}
		return r
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

// rawReader decodes base64 text held in memory, checked and without its
// padding: it copies the runs between line breaks into a stage, whole,
// rather than a character at a time.
type rawReader struct {
	text  []byte       // not yet staged
	check func() error // the text's error, when it does not decode (Scan)
	err   error        // sticky
	out   []byte       // decoded, not yet read
	stage [16 << 10]byte
	dec   [12 << 10]byte
}

func (r *rawReader) Read(b []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	for len(r.out) == 0 {
		if len(r.text) == 0 {
			return 0, io.EOF
		}
		// Gather base64 characters, a multiple of four at a time but at
		// the end.
		n := 0
		for n < len(r.stage) && len(r.text) > 0 {
			seg := r.text[:min(len(r.text), len(r.stage)-n)]
			if i := bytes.IndexByte(seg, '\n'); i >= 0 {
				seg = seg[:i]
			}
			if i := bytes.IndexByte(seg, '\r'); i >= 0 {
				seg = seg[:i]
			}
			n += copy(r.stage[n:], seg)
			r.text = r.text[len(seg):]
			if len(r.text) > 0 && (r.text[0] == '\r' || r.text[0] == '\n') {
				r.text = r.text[1:]
			}
		}
		m, err := base64.RawStdEncoding.Decode(r.dec[:], r.stage[:n])
		if err != nil {
			r.err = errors.Join(errors.New("base64 that was checked does not decode"), err)
			if r.check != nil {
				if cerr := r.check(); cerr != nil {
					r.err = cerr
				}
			}
			return 0, r.err
		}
		r.out = r.dec[:m]
	}
	n := copy(b, r.out)
	r.out = r.out[n:]
	return n, nil
}
