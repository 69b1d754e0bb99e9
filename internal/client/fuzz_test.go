package client

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzReadResult feeds arbitrary answers to the response reader: it
// returns a result or an error, never panics, and a non-200 is always a
// *Error with that status.
func FuzzReadResult(f *testing.F) {
	f.Add(200, "image/bmp", "12", "3.5", "BM....")
	f.Add(200, "text/plain", "", "", "data:image/png;base64,iVBORw0KGgo=")
	f.Add(200, "", "x", "-1", "data:image/jpg;base64,\n/9j/\n")
	f.Add(400, "text/plain", "", "", "missing query parameter\nsecond line")
	f.Add(503, "text/plain", "", "NaN", "")
	c := New("http://127.0.0.1:1", nil)
	c.MaxResponseBytes = 1 << 16
	f.Fuzz(func(t *testing.T, status int, ctype, units, ms, body string) {
		if status < 100 || status > 999 {
			status = 200
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
		resp.Header.Set("Content-Type", ctype)
		resp.Header.Set("X-Work-Units", units)
		resp.Header.Set("X-CPU-Ms", ms)
		resp.Header.Set("Retry-After", units)
		res, err := c.readResult(resp, "png")
		if status != 200 {
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != status || strings.ContainsAny(e.Message, "\r\n") {
				t.Fatalf("status %d: %v", status, err)
			}
			return
		}
		if err == nil && (res == nil || res.CPU < 0 || res.Format == "") {
			t.Fatalf("result %+v", res)
		}
	})
}
