package dataurl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/specialvfx/vfx/internal/codec"
)

// ErrBadDataURL: the body is not a well-formed base64 image data URL. It
// also matches codec.ErrNotImage, so that callers map it to the same status
// as an unreadable image.
var ErrBadDataURL error = &childError{msg: "bad data url", parent: codec.ErrNotImage}

// childError is a sentinel that also matches its parent sentinel.
type childError struct {
	msg    string
	parent error
}

func (e *childError) Error() string        { return e.msg }
func (e *childError) Is(target error) bool { return target == e.parent }

// Parse reads a data URL of the form data:image/<format>;base64,<data> and
// returns the format name as given, lower-cased (jpg, jpeg, png, bmp or gif),
// and the decoded bytes. It is Open, then Payload.Bytes.
//
// It accepts what clients of the original system send and more: surrounding
// whitespace, base64 wrapped over lines (LF or CRLF, as GNU base64 writes it),
// missing '=' padding, a case-insensitive "data:" scheme and extra media type
// parameters. A body that is entirely URL-form-encoded (it starts with
// "data%3A") is unescaped first; a raw body is never unescaped, so '+' keeps
// its base64 meaning. Errors name the problem: not a data URL, not base64,
// an unsupported format, or bad base64 with the byte offset in the body.
func Parse(body []byte) (format string, data []byte, err error) {
	format, p, err := Open(body)
	if err != nil {
		return "", nil, err
	}
	return format, p.Bytes(), nil
}

// Open reads a data URL as Parse does, with the same checks and errors,
// but decodes nothing: it returns the format and the payload, whose base64
// is valid and whose decoded length is known. A body that is not
// form-encoded is not copied: the payload refers to it.
func Open(body []byte) (format string, p Payload, err error) {
	return open(body, false)
}

// Scan is Open but for the base64 text's characters, which it only counts:
// they are checked as the payload is read, and a Reader that meets a bad
// one fails with the error Open would have given, at the same offset. A
// caller that reads the payload whole anyway (to hash it) so checks and
// decodes it in one pass instead of two.
func Scan(body []byte) (format string, p Payload, err error) {
	return open(body, true)
}

func open(body []byte, lazy bool) (format string, p Payload, err error) {
	text := bytes.TrimLeftFunc(body, unicode.IsSpace)
	lead := len(body) - len(text) // offset of text in body, for error positions
	text = bytes.TrimRightFunc(text, unicode.IsSpace)
	if len(text) == 0 {
		return "", p, fmt.Errorf("%w: empty body", ErrBadDataURL)
	}
	if hasPrefixFold(text, "data%3a") {
		u, err := url.QueryUnescape(string(text))
		if err != nil {
			return "", p, fmt.Errorf("%w: bad form encoding: %v", ErrBadDataURL, err)
		}
		text = bytes.TrimSpace([]byte(u))
		lead = -1 // offsets now refer to the unescaped text
	}
	if !hasPrefixFold(text, "data:") {
		return "", p, fmt.Errorf("%w: not a data url (want data:image/<format>;base64,<data>)", ErrBadDataURL)
	}
	comma := bytes.IndexByte(text, ',')
	if comma < 0 {
		return "", p, fmt.Errorf("%w: no ',' after the media type", ErrBadDataURL)
	}
	params := strings.Split(string(text[len("data:"):comma]), ";")
	isBase64 := false
	for _, p := range params[1:] {
		if strings.EqualFold(strings.TrimSpace(p), "base64") {
			isBase64 = true
		}
	}
	media := strings.ToLower(strings.TrimSpace(params[0]))
	sub, ok := strings.CutPrefix(media, "image/")
	if !ok {
		if media == "" {
			media = "text/plain"
		}
		return "", p, fmt.Errorf("%w: media type %q is not an image", codec.ErrUnsupportedFormat, media)
	}
	if err := codec.CheckFormat(sub); err != nil {
		return "", p, err
	}
	if !isBase64 {
		return "", p, fmt.Errorf("%w: not base64 (want data:image/%s;base64,...)", ErrBadDataURL, sub)
	}
	where := func(err error) error { return payloadError(err, comma+1, lead) }
	if lazy {
		p, err = countPayload(text[comma+1:], where)
	} else {
		p, err = NewPayload(text[comma+1:])
	}
	if err != nil {
		return "", p, where(err)
	}
	if p.Len() == 0 {
		return "", p, fmt.Errorf("%w: no image data after the comma", ErrBadDataURL)
	}
	return sub, p, nil
}

// payloadError is Open's error for a payload error err: a base64 error's
// offset is made one in the body (the payload starting at start in the
// text, which starts at lead in the body; lead -1: the text is the
// unescaped body).
func payloadError(err error, start, lead int) error {
	var be *base64Error
	if errors.As(err, &be) {
		where := "of the body"
		off := be.offset + start
		if lead >= 0 {
			off += lead
		} else {
			where = "of the unescaped body"
		}
		return fmt.Errorf("%w: bad base64 at byte %d %s: %s", ErrBadDataURL, off, where, be.msg)
	}
	return fmt.Errorf("%w: %v", ErrBadDataURL, err)
}

// OpenMemory is what Open allocates for body beyond a few kilobytes:
// nothing, unless body is form-encoded, whose unescaped copy Open makes
// (three times its length at most, through the strings of the unescaping).
func OpenMemory(body []byte) int64 {
	if hasPrefixFold(bytes.TrimLeftFunc(body, unicode.IsSpace), "data%3a") {
		return 3 * int64(len(body))
	}
	return 0
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// String builds the data URL "data:image/<format>;base64,<data>" with
// standard, padded, unwrapped base64.
func String(format string, data []byte) string {
	var sb strings.Builder
	sb.Grow(len("data:image/;base64,") + len(format) + base64.StdEncoding.EncodedLen(len(data)))
	sb.WriteString("data:image/")
	sb.WriteString(format)
	sb.WriteString(";base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &sb)
	enc.Write(data)
	enc.Close()
	return sb.String()
}
