package access

import (
	"net/http"
	"strings"

	"github.com/specialvfx/vfx/internal/wire"
)

// Authorized reports whether r carries "Authorization: Bearer <token>"
// with s's token. With an empty s every request is authorized.
func Authorized(s Secret, r *http.Request) bool {
	if s.Empty() {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && s.Matches(strings.TrimSpace(token))
}

// Deny answers 401 with a Bearer challenge and one line saying which
// token is wanted (what, e.g. "the admin token (--admin-token)"). The line
// never repeats what the request sent.
func Deny(w http.ResponseWriter, what string) {
	h := w.Header()
	h.Set("WWW-Authenticate", `Bearer realm="vfx"`)
	h.Set("Content-Type", wire.ErrorType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write(wire.ErrorBody("missing or wrong token: send the header Authorization: Bearer followed by " + what))
}

// Require serves next only to requests Authorized by s, and answers the
// others with Deny. With an empty s it returns next itself.
func Require(s Secret, what string, next http.Handler) http.Handler {
	if s.Empty() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Authorized(s, r) {
			Deny(w, what)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// The CORS headers of the original system, which sent them on every
// response of its handlers (OPTIONS got the last two and a 204).
const (
	AllowOrigin  = "*"
	AllowMethods = "GET, OPTIONS"
	AllowHeaders = "Content-Type,Authorization"
)

// Preflight sets Access-Control-Allow-Origin on every response and
// answers an OPTIONS request itself, as the original did: 204, no body,
// with the allowed methods and headers. It reports whether it answered.
// A preflight carries no credentials, so it comes before Require.
func Preflight(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", AllowOrigin)
	if r.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", AllowMethods)
	h.Set("Access-Control-Allow-Headers", AllowHeaders)
	w.WriteHeader(http.StatusNoContent)
	return true
}

// CORS wraps next with Preflight.
func CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Preflight(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// Transport returns rt sending "Authorization: Bearer <token>" with every
// request (replacing any Authorization header the request had), or rt
// itself when s is empty. The returned transport passes
// CloseIdleConnections on to rt.
func Transport(rt http.RoundTripper, s Secret) http.RoundTripper {
	if s.Empty() {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &bearerTransport{next: rt, header: "Bearer " + s.Reveal()}
}

type bearerTransport struct {
	next   http.RoundTripper
	header string
}

// RoundTrip implements http.RoundTripper. It leaves r as it was: the
// header goes on a shallow copy.
func (t *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c := *r
	c.Header = r.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Header.Set("Authorization", t.header)
	return t.next.RoundTrip(&c)
}

// CloseIdleConnections closes the idle connections of the transport
// underneath.
func (t *bearerTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
