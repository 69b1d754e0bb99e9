package metrics

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DefaultURL is the store the commands use unless --store or the VFX_STORE
// environment variable names another.
const DefaultURL = "sqlite:vfx-data/metrics.db"

// EnvStore is the environment variable that overrides DefaultURL.
const EnvStore = "VFX_STORE"

// OpenOptions tune how a store is opened.
type OpenOptions struct {
	// MustExist makes opening a store that does not exist yet fail with an
	// error wrapping ErrNotExist instead of creating it. Commands that only
	// read use it.
	MustExist bool
}

// Opener opens a store of one scheme; rest is the URL after "scheme:" (and
// after "//" if the URL has it).
type Opener func(ctx context.Context, rest string, o OpenOptions) (Store, error)

// Openers are the store implementations a command can open, by URL
// scheme (lower case), e.g. metrics.Openers{"sqlite": sqlite.OpenURL}:
// the command that opens stores builds the map, with the implementations it
// links.
type Openers map[string]Opener

// Schemes lists the schemes in sorted order.
func (ops Openers) Schemes() []string { return slices.Sorted(maps.Keys(ops)) }

// Open opens the store a URL names, creating it if it does not exist:
// "sqlite:PATH" or "sqlite://PATH" (so "sqlite:///abs/path" is an absolute
// path), or the scheme of any other implementation in ops.
func (ops Openers) Open(ctx context.Context, url string) (Store, error) {
	return ops.OpenWith(ctx, url, OpenOptions{})
}

// OpenWith is Open with options.
func (ops Openers) OpenWith(ctx context.Context, url string, o OpenOptions) (Store, error) {
	scheme, rest, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	open := ops[scheme]
	if open == nil {
		return nil, fmt.Errorf("open metrics store %q: %w %q (registered: %s)",
			url, ErrUnknownScheme, scheme, strings.Join(ops.Schemes(), ", "))
	}
	s, err := open(ctx, rest, o)
	if err != nil {
		return nil, fmt.Errorf("open metrics store %q: %w", url, err)
	}
	return s, nil
}

// MaxURLLen is the longest store URL Open accepts, in bytes.
const MaxURLLen = 4096

// ParseURL splits a store URL into its scheme and the rest the
// implementation interprets: "scheme:rest" or "scheme://rest". The scheme is
// lower-cased; the rest must not be empty.
func ParseURL(url string) (scheme, rest string, err error) {
	if len(url) > MaxURLLen {
		return "", "", fmt.Errorf("metrics store url: %d bytes long, more than %d", len(url), MaxURLLen)
	}
	i := strings.IndexByte(url, ':')
	if i < 0 {
		return "", "", fmt.Errorf("metrics store url %q: missing scheme (want scheme:rest, e.g. %s)", url, DefaultURL)
	}
	scheme, rest = strings.ToLower(url[:i]), url[i+1:]
	if !validScheme(scheme) {
		return "", "", fmt.Errorf("metrics store url %q: invalid scheme %q", url, url[:i])
	}
	rest = strings.TrimPrefix(rest, "//")
	if rest == "" {
		return "", "", fmt.Errorf("metrics store url %q: nothing after the scheme", url)
	}
	return scheme, rest, nil
}

// validScheme reports whether s is a URL scheme: a letter followed by
// letters, digits, "+", "-" or ".".
func validScheme(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
