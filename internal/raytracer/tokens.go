package raytracer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrScene is wrapped by every error about the scene text, so callers can
// tell a bad scene (a client error) from other failures with errors.Is.
var ErrScene = errors.New("invalid scene")

// sceneError names the line and the token a parse error is about.
type sceneError struct {
	line  int
	token string // empty at end of input
	msg   string
	also  error // a second sentinel it wraps besides ErrScene, or nil
}

func (e *sceneError) Error() string {
	if e.token == "" {
		return fmt.Sprintf("scene line %d: %s", e.line, e.msg)
	}
	return fmt.Sprintf("scene line %d, token %q: %s", e.line, e.token, e.msg)
}

func (e *sceneError) Unwrap() []error {
	if e.also != nil {
		return []error{ErrScene, e.also}
	}
	return []error{ErrScene}
}

// tokenizer splits the scene as the original's java.util.Scanner does:
// tokens are separated by runs of whitespace (space, tab, LF, VT, FF, CR
// and the ASCII separators 0x1C-0x1F), and numbers follow Scanner's rules
// for Locale.US. It tracks the line of each token for error messages.
type tokenizer struct {
	src  []byte
	pos  int
	line int // line of the next byte, 1-based

	tok     string // last token returned
	tokLine int
}

// label names what the parser reads next, for error messages: "light 2
// attenuation a", "shape 1 point 3 x". It is made into text only when an
// error is reported, so that a valid scene is parsed without building one
// string per number.
type label struct {
	obj       string // "light", "shape", or a whole name ("eye")
	i         int    // the object's number, when hasI
	sub       string // what of the object: " position", " attenuation ", " face "
	j         int    // a number after sub, when hasJ
	hasI      bool
	hasJ      bool
	lettered  bool   // j is written as a letter, 'a'+j
	component string // " x", " red": the part of a vector or colour
}

// name labels a thing of the scene by its name.
func name(s string) label { return label{obj: s} }

// numbered labels the i-th object of a kind: "light 2".
func numbered(obj string, i int) label { return label{obj: obj, i: i, hasI: true} }

// field labels a field of the object: "light 2 position".
func (l label) field(sub string) label { l.sub = sub; return l }

// nth labels a numbered field of the object: "shape 1 point 3".
func (l label) nth(sub string, j int) label { l.sub, l.j, l.hasJ = sub, j, true; return l }

// letter labels a lettered field of the object: "light 2 attenuation a".
func (l label) letter(sub string, j int) label {
	l.sub, l.j, l.hasJ, l.lettered = sub, j, true, true
	return l
}

// part labels a component of a vector or colour: "light 2 position x".
func (l label) part(c string) label { l.component = c; return l }

func (l label) String() string {
	var b strings.Builder
	b.WriteString(l.obj)
	if l.hasI {
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(l.i))
	}
	b.WriteString(l.sub)
	if l.hasJ {
		if l.lettered {
			b.WriteByte(byte('a' + l.j))
		} else {
			b.WriteString(strconv.Itoa(l.j))
		}
	}
	b.WriteString(l.component)
	return b.String()
}

func newTokenizer(src []byte) *tokenizer { return &tokenizer{src: src, line: 1} }

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f:
		return true
	}
	return false
}

// errf is an error about the last token.
func (t *tokenizer) errf(format string, args ...any) error {
	return &sceneError{line: t.tokLine, token: t.tok, msg: fmt.Sprintf(format, args...)}
}

// next returns the next token; what names what is expected, for the error
// at end of input.
func (t *tokenizer) next(what label) (string, error) {
	for t.pos < len(t.src) && isSpace(t.src[t.pos]) {
		if t.src[t.pos] == '\n' {
			t.line++
		}
		t.pos++
	}
	if t.pos == len(t.src) {
		t.tok, t.tokLine = "", t.line
		return "", &sceneError{line: t.line, msg: "unexpected end of scene, expected " + what.String()}
	}
	start := t.pos
	for t.pos < len(t.src) && !isSpace(t.src[t.pos]) {
		t.pos++
	}
	t.tok, t.tokLine = string(t.src[start:t.pos]), t.line
	return t.tok, nil
}

// float64 reads a number as Scanner.nextDouble.
func (t *tokenizer) float64(what label) (float64, error) {
	s, err := t.next(what)
	if err != nil {
		return 0, err
	}
	v, ok := parseJavaFloat(s, 64)
	if !ok {
		return 0, t.errf("%s: not a finite number", what)
	}
	return v, nil
}

// float32 reads a number as Scanner.nextFloat (rounded once, from the
// decimal text to float32).
func (t *tokenizer) float32(what label) (float32, error) {
	s, err := t.next(what)
	if err != nil {
		return 0, err
	}
	v, ok := parseJavaFloat(s, 32)
	if !ok {
		return 0, t.errf("%s: not a finite number", what)
	}
	return float32(v), nil
}

// int reads an integer as Scanner.nextInt (32-bit).
func (t *tokenizer) int(what label) (int, error) {
	s, err := t.next(what)
	if err != nil {
		return 0, err
	}
	digits, ok := javaNumeral(s, false)
	if !ok {
		return 0, t.errf("%s: not an integer", what)
	}
	v, err := strconv.ParseInt(digits, 10, 32)
	if err != nil {
		return 0, t.errf("%s: not a 32-bit integer", what)
	}
	return int(v), nil
}

// count reads a non-negative count, at most max.
func (t *tokenizer) count(what label, max int) (int, error) {
	n, err := t.int(what)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, t.errf("%s: negative count", what)
	}
	if n > max {
		return 0, &sceneError{line: t.tokLine, token: t.tok, also: ErrLimit,
			msg: fmt.Sprintf("%s: %d is above the limit of %d", what, n, max)}
	}
	return n, nil
}

func (t *tokenizer) vec(what label) (vec, error) {
	var v vec
	var err error
	if v.x, err = t.float64(what.part(" x")); err != nil {
		return v, err
	}
	if v.y, err = t.float64(what.part(" y")); err != nil {
		return v, err
	}
	v.z, err = t.float64(what.part(" z"))
	return v, err
}

// color reads three floats clamped to [0, 1], as the original's readColor.
func (t *tokenizer) color(what label) (rgb, error) {
	var c [3]float32
	for i, n := range [3]string{" red", " green", " blue"} {
		v, err := t.float32(what.part(n))
		if err != nil {
			return rgb{}, err
		}
		c[i] = clampf(v)
	}
	return rgb{c[0], c[1], c[2]}, nil
}

// parseJavaFloat parses a decimal number the way Scanner accepts it under
// Locale.US: an optional sign, digits (optionally grouped in thousands by
// commas), an optional fraction, an optional exponent. Unlike Scanner it
// refuses NaN, Infinity and values that overflow, which the original would
// have accepted and turned into undefined pixels.
func parseJavaFloat(s string, bits int) (float64, bool) {
	orig := s
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i+1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if !allDigits(exp) {
			return 0, false
		}
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if hasDot && frac != "" && !allDigits(frac) {
		return 0, false
	}
	if intPart == "" {
		if !hasDot || frac == "" {
			return 0, false
		}
	} else {
		d, ok := javaNumeral(intPart, true)
		if !ok {
			return 0, false
		}
		if d != intPart { // thousands grouped: without the commas
			orig = sign + d
			if hasDot {
				orig += "." + frac
			}
			orig += s[len(mant):] // 'e', its sign and digits
		}
	}
	clean := orig
	v, err := strconv.ParseFloat(clean, bits)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return v, true // an underflow to zero is what Java gives too
}

// javaNumeral accepts plain digits or digits grouped by commas in
// thousands (1,234,567), with an optional sign unless unsigned is set (a
// float's sign is taken off before), and returns them without commas.
func javaNumeral(s string, unsigned bool) (string, bool) {
	sign := ""
	if !unsigned && s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	if s == "" {
		return "", false
	}
	if allDigits(s) {
		return sign + s, true
	}
	groups := strings.Split(s, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 || !allDigits(groups[0]) || groups[0][0] == '0' {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return "", false
		}
	}
	return sign + strings.Join(groups, ""), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
