package wire

import (
	"errors"
	"strings"
)

// The HTTP statuses of refused requests. They are the numbers of net/http's
// constants, which this package does not import.
const (
	statusBadRequest            = 400
	statusNotFound              = 404
	statusRequestEntityTooLarge = 413
	statusUnsupportedMediaType  = 415
	statusInternalServerError   = 500
)

// RequestError is a request that is refused, with the HTTP status to answer
// and a one-line message saying what is wrong and what is expected.
type RequestError struct {
	Status int    // HTTP status code, 4xx or 5xx
	Msg    string // one line, for the client
	Err    error  // the cause, if any
}

func (e *RequestError) Error() string { return e.Msg }
func (e *RequestError) Unwrap() error { return e.Err }

// NewError returns a *RequestError with status, cause and msg made one line
// (OneLine).
func NewError(status int, msg string, cause error) *RequestError {
	return &RequestError{Status: status, Msg: OneLine(msg), Err: cause}
}

// StatusOf returns the HTTP status for err: the Status of a *RequestError in
// its chain, else 500.
func StatusOf(err error) int {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Status
	}
	return statusInternalServerError
}

// maxMessage bounds an error message sent to a client.
const maxMessage = 1000

// OneLine joins the lines of s with "; ", drops other control characters
// and bounds its length (1000 bytes, then "…"), so that a message is one
// readable line.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(min(len(s), maxMessage))
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		for _, r := range line {
			if r < 0x20 || r == 0x7f {
				r = ' '
			}
			b.WriteRune(r)
		}
		if b.Len() > maxMessage {
			break
		}
	}
	return Truncate(b.String(), maxMessage)
}

// Truncate returns s cut to at most n bytes on a character boundary, with
// "…" appended when it was cut, for quoting client input in a message.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
