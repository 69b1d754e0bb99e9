package lifecycle

import (
	"errors"
	"strconv"
	"strings"
)

// vocabulary is the words of a small enumeration whose values are numbered
// from 1: words[i] is the word of value i+1.
type vocabulary struct {
	what  string // what a value is, e.g. "worker state"
	typ   string // the Go type's name, for String of an invalid value
	words []string
}

// maxQuoted bounds how much of an unknown word an error repeats.
const maxQuoted = 64

// word returns the word of v, and false if v is not a value.
func (v vocabulary) word(n uint8) (string, bool) {
	if n == 0 || int(n) > len(v.words) {
		return "", false
	}
	return v.words[n-1], true
}

// str is the word of n, or Type(n) for a value outside the vocabulary.
func (v vocabulary) str(n uint8) string {
	if w, ok := v.word(n); ok {
		return w
	}
	return v.typ + "(" + strconv.Itoa(int(n)) + ")"
}

// text is MarshalText: the word, or an error for a value outside the
// vocabulary.
func (v vocabulary) text(n uint8) ([]byte, error) {
	if w, ok := v.word(n); ok {
		return []byte(w), nil
	}
	return nil, errors.New("invalid " + v.what + " " + strconv.Itoa(int(n)) + " (want " + v.list() + ")")
}

// parse returns the value of word s, which must be one of the words
// exactly.
func (v vocabulary) parse(s string) (uint8, error) {
	for i, w := range v.words {
		if s == w {
			return uint8(i + 1), nil
		}
	}
	q := s
	if len(q) > maxQuoted {
		q = strings.ToValidUTF8(q[:maxQuoted], "") + "…"
	}
	return 0, errors.New("unknown " + v.what + " " + strconv.Quote(q) + " (want " + v.list() + ")")
}

// list is the words as a sentence: "a, b or c".
func (v vocabulary) list() string { return sentence(v.words) }

// sentence joins words as in "a, b or c"; no words is "nothing".
func sentence(words []string) string {
	switch n := len(words); n {
	case 0:
		return "nothing"
	case 1:
		return words[0]
	default:
		return strings.Join(words[:n-1], ", ") + " or " + words[n-1]
	}
}
