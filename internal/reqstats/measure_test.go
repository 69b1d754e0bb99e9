package reqstats

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestMeasure(t *testing.T) {
	var now time.Time = t0
	clock := func() time.Time { return now }
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now = now.Add(20 * time.Millisecond) // the request takes 20 ms
		switch r.URL.Query().Get("status") {
		case "503":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case "400":
			http.Error(w, "bad", http.StatusBadRequest)
		default:
			w.Write([]byte("ok"))
		}
	})
	win := NewWindow(t0, Options{})
	h := Measure(next, win, clock, "/raytracer", "/blurimage")
	for _, target := range []string{"/raytracer", "/blurimage?status=503", "/raytracer?status=400", "/health", "/api/v1/state"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, target, nil))
		if rec.Code == 0 {
			t.Fatalf("%s: no answer", target)
		}
	}
	st := win.Stats(now)
	if st.Requests != 3 || st.Failed != 1 {
		t.Errorf("Requests %d Failed %d, want 3 measured (not /health or the state API), 1 failed (503; a 400 is the client's)", st.Requests, st.Failed)
	}
	if !near(st.P50, 20*time.Millisecond) {
		t.Errorf("p50 %v, want 20ms", st.P50)
	}
}

// TestMeasureKeepsTheController: the handler behind Measure can still
// flush through http.ResponseController.
func TestMeasureKeepsTheController(t *testing.T) {
	win := NewWindow(time.Now(), Options{})
	h := Measure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through Measure: %v", err)
		}
	}), win, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !rec.Flushed {
		t.Error("the answer was not flushed")
	}
	if st := win.Stats(time.Now()); st.Requests != 1 {
		t.Errorf("Requests = %d, want 1 (no paths: every request)", st.Requests)
	}
}
