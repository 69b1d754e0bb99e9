package reqstats

import (
	"net/http"
	"time"
)

// Measure returns a handler that serves with next and records in win the
// latency of every request to one of paths (all requests when none is
// given); a request fails when its answer's status is 5xx. now is the
// clock (nil: time.Now).
func Measure(next http.Handler, win *Window, now func() time.Time, paths ...string) http.Handler {
	if now == nil {
		now = time.Now
	}
	only := map[string]bool{}
	for _, p := range paths {
		only[p] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(only) > 0 && !only[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		start := now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			end := now()
			win.Record(end, end.Sub(start), sw.status >= 500)
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer (Flush,
// deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
