package worker

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

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
		return 0, reqErr(http.StatusBadRequest,
			fmt.Sprintf("missing query parameter %q: want an integer (%s), e.g. /raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false", name, paramHelp[name]), nil)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, reqErr(http.StatusBadRequest,
			fmt.Sprintf("query parameter %s=%q is not an integer: want an integer (%s)", name, truncate(v, 40), paramHelp[name]), err)
	}
	return n, nil
}

// boolParam is the original's Boolean.parseBoolean: only "true", in any
// case, is true; absent or anything else is false.
func boolParam(q map[string]string, name string) bool {
	return strings.EqualFold(q[name], "true")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}
