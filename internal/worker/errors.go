package worker

import (
	"errors"
	"net/http"
	"strings"
)

// RequestError is a request the worker refuses, with the HTTP status it
// answers and a one-line message saying what is wrong and what is expected.
type RequestError struct {
	Status int    // HTTP status code, 4xx or 5xx
	Msg    string // one line, for the client
	Err    error  // the cause, if any
}

func (e *RequestError) Error() string { return e.Msg }
func (e *RequestError) Unwrap() error { return e.Err }

// StatusOf returns the HTTP status for err: the Status of a *RequestError in
// its chain, else 500.
func StatusOf(err error) int {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Status
	}
	return http.StatusInternalServerError
}

// reqErr builds a *RequestError whose message is msg made one line.
func reqErr(status int, msg string, cause error) *RequestError {
	return &RequestError{Status: status, Msg: oneLine(msg), Err: cause}
}

// maxMessage bounds an error message sent to a client.
const maxMessage = 1000

// oneLine joins the lines of s with "; ", drops other control characters
// and bounds its length, so that a message is one readable line.
func oneLine(s string) string {
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
	out := b.String()
	if len(out) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8Start(out[cut]) {
			cut--
		}
		out = out[:cut] + "…"
	}
	return out
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
