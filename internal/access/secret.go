package access

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// MinSecretLen is the shortest token accepted: 16 characters, e.g. the
// output of `openssl rand -hex 16`.
const MinSecretLen = 16

// MaxSecretLen is the longest token accepted; it travels in a header.
const MaxSecretLen = 4096

// ErrBadSecret is wrapped by every refusal of ParseSecret.
var ErrBadSecret = errors.New("unusable token")

// redacted is how a Secret shows itself anywhere.
const redacted = "[redacted]"

// Secret is a shared token. The zero Secret is empty: no token is
// required. A Secret never shows its value: fmt, log/slog, encoding/json
// and encoding/text print "[redacted]".
type Secret struct {
	// t returns the token: fmt prints a func as an address, so even a
	// struct holding a Secret in an unexported field, printed with any
	// verb, does not show the token.
	t func() *token
}

type token struct {
	// sum is the SHA-256 of the token: comparing digests takes the same
	// time whatever the length of the candidate.
	sum   [sha256.Size]byte
	value string
}

// ParseSecret makes a Secret of s with the surrounding white space (a
// file's final newline) removed. The token must be MinSecretLen to
// MaxSecretLen printable ASCII characters without spaces, as an HTTP
// header carries it. The error never quotes s.
func ParseSecret(s string) (Secret, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Secret{}, fmt.Errorf("%w: empty", ErrBadSecret)
	case len(s) < MinSecretLen:
		return Secret{}, fmt.Errorf("%w: %d characters, want at least %d (e.g. openssl rand -hex 32)", ErrBadSecret, len(s), MinSecretLen)
	case len(s) > MaxSecretLen:
		return Secret{}, fmt.Errorf("%w: %d characters, want at most %d", ErrBadSecret, len(s), MaxSecretLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return Secret{}, fmt.Errorf("%w: character %d is not printable ASCII (spaces and control characters cannot travel in a header)", ErrBadSecret, i+1)
		}
	}
	t := &token{sum: sha256.Sum256([]byte(s)), value: s}
	return Secret{t: func() *token { return t }}, nil
}

// Empty reports whether no token is set.
func (s Secret) Empty() bool { return s.t == nil }

// Matches reports, in constant time, whether candidate is the token. An
// empty Secret matches nothing.
func (s Secret) Matches(candidate string) bool {
	if s.Empty() {
		return false
	}
	sum := sha256.Sum256([]byte(candidate))
	return subtle.ConstantTimeCompare(sum[:], s.t().sum[:]) == 1
}

// Reveal returns the token itself, for the one place that must send it:
// a header, or the environment of a worker being started.
func (s Secret) Reveal() string {
	if s.Empty() {
		return ""
	}
	return s.t().value
}

// String implements fmt.Stringer: "[redacted]", or "" when empty.
func (s Secret) String() string {
	if s.Empty() {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer (%#v).
func (s Secret) GoString() string { return "access.Secret(" + s.String() + ")" }

// Format implements fmt.Formatter, so that every verb prints String.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (and so JSON and YAML
// output).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
