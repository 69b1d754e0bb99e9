package wire

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/specialvfx/vfx/internal/raytracer"
)

// RaytraceParams are the query parameters of POST /raytracer: the scene
// size, the window (output) size and offsets, anti-aliasing and the
// original's multi flag.
type RaytraceParams struct {
	SCols, SRows int
	WCols, WRows int
	COff, ROff   int
	AA, Multi    bool
}

// Query is the query string of p, in the original's parameter order.
func (p RaytraceParams) Query() string {
	return fmt.Sprintf("scols=%d&srows=%d&wcols=%d&wrows=%d&coff=%d&roff=%d&aa=%t&multi=%t",
		p.SCols, p.SRows, p.WCols, p.WRows, p.COff, p.ROff, p.AA, p.Multi)
}

// render is the ray tracer's view of p (Threads left at 0).
func (p RaytraceParams) render() raytracer.Params {
	return raytracer.Params{SCols: p.SCols, SRows: p.SRows, WCols: p.WCols, WRows: p.WRows, COff: p.COff, ROff: p.ROff, AA: p.AA}
}

// parseRaytraceQuery reads the parameters of /raytracer from a raw query
// string: the six integers are required (a *RequestError names the first
// one missing or malformed and says what it is), aa and multi are true
// only for "true" in any case.
func parseRaytraceQuery(raw string) (RaytraceParams, error) {
	q := parseQuery(raw)
	var p RaytraceParams
	for _, fld := range []struct {
		name string
		dst  *int
	}{
		{"scols", &p.SCols}, {"srows", &p.SRows}, {"wcols", &p.WCols},
		{"wrows", &p.WRows}, {"coff", &p.COff}, {"roff", &p.ROff},
	} {
		v, err := intParam(q, fld.name)
		if err != nil {
			return RaytraceParams{}, err
		}
		*fld.dst = v
	}
	p.AA, p.Multi = boolParam(q, "aa"), boolParam(q, "multi")
	return p, nil
}

// parseQuery splits a raw query string the way the original system did (on
// "&", then on the first "="; a key without "=" maps to ""), and unescapes
// each key and value when it is valid URL encoding. A later duplicate key
// wins, as in the original's map.
func parseQuery(raw string) map[string]string {
	q := make(map[string]string)
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		q[unescape(k)] = unescape(v)
	}
	return q
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// paramHelp says what each ray-tracer query parameter is.
var paramHelp = map[string]string{
	"scols": "scene width in pixels",
	"srows": "scene height in pixels",
	"wcols": "output window width in pixels",
	"wrows": "output window height in pixels",
	"coff":  "window column offset",
	"roff":  "window row offset",
}

// intParam returns the integer query parameter name, or a 400 naming it.
func intParam(q map[string]string, name string) (int, error) {
	v, ok := q[name]
	if !ok {
		return 0, NewError(statusBadRequest,
			fmt.Sprintf("missing query parameter %q: want an integer (%s), e.g. /raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false", name, paramHelp[name]), nil)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, NewError(statusBadRequest,
			fmt.Sprintf("query parameter %s=%q is not an integer: want an integer (%s)", name, Truncate(v, 40), paramHelp[name]), err)
	}
	return n, nil
}

// boolParam is the original's Boolean.parseBoolean: only "true", in any
// case, is true; absent or anything else is false.
func boolParam(q map[string]string, name string) bool {
	return strings.EqualFold(q[name], "true")
}
