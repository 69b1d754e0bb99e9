package access

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequire(t *testing.T) {
	s := mustSecret(t, tok)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "served") })
	h := Require(s, "the admin token (--admin-token)", ok)
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"no header", "", 401},
		{"wrong token", "Bearer wrong-token-0123456789", 401},
		{"token with a suffix", "Bearer " + tok + "x", 401},
		{"basic scheme", "Basic " + tok, 401},
		{"no scheme", tok, 401},
		{"right token", "Bearer " + tok, 200},
		{"scheme in lower case", "bearer " + tok, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/state", nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("status %d (%q), want %d", w.Code, body, tc.status)
			}
			if tc.status == 200 {
				if body != "served" {
					t.Errorf("body %q", body)
				}
				return
			}
			if w.Header().Get("WWW-Authenticate") != `Bearer realm="vfx"` {
				t.Errorf("WWW-Authenticate %q", w.Header().Get("WWW-Authenticate"))
			}
			if !strings.Contains(body, "Authorization: Bearer followed by the admin token (--admin-token)") || strings.Count(body, "\n") != 1 {
				t.Errorf("body %q: want one line naming the token", body)
			}
			if strings.Contains(body, tok) || strings.Contains(body, "wrong-token") {
				t.Errorf("body %q repeats a token", body)
			}
		})
	}
	if got := Require(Secret{}, "x", ok); got == nil {
		t.Fatal("nil handler")
	} else {
		w := httptest.NewRecorder()
		got.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != 200 {
			t.Errorf("an empty secret refused a request: %d", w.Code)
		}
	}
}

func TestCORS(t *testing.T) {
	var reached bool
	h := CORS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true; io.WriteString(w, "x") }))
	for _, tc := range []struct {
		method  string
		status  int
		reached bool
	}{
		{"OPTIONS", 204, false},
		{"POST", 200, true},
		{"GET", 200, true},
	} {
		t.Run(tc.method, func(t *testing.T) {
			reached = false
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, "/raytracer", nil))
			hd := w.Header()
			if w.Code != tc.status || reached != tc.reached || hd.Get("Access-Control-Allow-Origin") != "*" {
				t.Fatalf("status %d reached %v origin %q", w.Code, reached, hd.Get("Access-Control-Allow-Origin"))
			}
			preflight := tc.method == "OPTIONS"
			if got := hd.Get("Access-Control-Allow-Methods") == "GET, OPTIONS" && hd.Get("Access-Control-Allow-Headers") == "Content-Type,Authorization"; got != preflight {
				t.Errorf("methods %q headers %q", hd.Get("Access-Control-Allow-Methods"), hd.Get("Access-Control-Allow-Headers"))
			}
			if preflight && w.Body.Len() != 0 {
				t.Errorf("preflight body %q", w.Body.String())
			}
		})
	}
}

// closeCounter is a transport that records the requests it sends and the
// calls to CloseIdleConnections.
type closeCounter struct {
	seen   []string
	closed int
}

func (c *closeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.seen = append(c.seen, r.Header.Get("Authorization"))
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
}

func (c *closeCounter) CloseIdleConnections() { c.closed++ }

func TestTransport(t *testing.T) {
	base := &closeCounter{}
	if Transport(base, Secret{}) != http.RoundTripper(base) {
		t.Error("an empty secret wrapped the transport")
	}
	rt := Transport(base, mustSecret(t, tok))
	for _, auth := range []string{"", "Bearer client-own-token-0123"} {
		r, _ := http.NewRequest("POST", "http://127.0.0.1:1/raytracer", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		resp, err := rt.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if r.Header.Get("Authorization") != auth {
			t.Errorf("the caller's request was changed: %q", r.Header.Get("Authorization"))
		}
	}
	for i, got := range base.seen {
		if got != "Bearer "+tok {
			t.Errorf("request %d sent Authorization %q", i, got)
		}
	}
	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	if base.closed != 1 {
		t.Errorf("CloseIdleConnections reached the transport %d times, want 1", base.closed)
	}
}
