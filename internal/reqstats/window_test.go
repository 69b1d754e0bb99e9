package reqstats

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// near reports whether got is within 1 % of want, the histogram's
// resolution.
func near(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= 0.0101*float64(want)
}

func TestWindowPercentiles(t *testing.T) {
	tests := []struct {
		name      string
		latencies []time.Duration
		p50, p99  time.Duration
	}{
		{name: "one request", latencies: []time.Duration{42 * time.Millisecond}, p50: 42 * time.Millisecond, p99: 42 * time.Millisecond},
		{name: "1 to 100 ms", latencies: ramp(100, time.Millisecond), p50: 50 * time.Millisecond, p99: 99 * time.Millisecond},
		{name: "a slow tail", latencies: append(repeat(98, 10*time.Millisecond), 2*time.Second, 3*time.Second), p50: 10 * time.Millisecond, p99: 2 * time.Second},
		{name: "sub-microsecond counts as the smallest bucket", latencies: []time.Duration{0, 1}, p50: time.Microsecond, p99: time.Microsecond},
		{name: "beyond an hour is capped", latencies: []time.Duration{5 * time.Hour}, p50: time.Hour, p99: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWindow(t0, Options{})
			now := t0.Add(5 * time.Second)
			for _, d := range tt.latencies {
				w.Record(now, d, false)
			}
			st := w.Stats(now)
			if st.Requests != len(tt.latencies) {
				t.Errorf("Requests = %d, want %d", st.Requests, len(tt.latencies))
			}
			if !near(st.P50, tt.p50) || !near(st.P99, tt.p99) {
				t.Errorf("p50 %v p99 %v, want %v and %v within 1%%", st.P50, st.P99, tt.p50, tt.p99)
			}
		})
	}
}

func TestWindowSlides(t *testing.T) {
	w := NewWindow(t0, Options{Span: 10 * time.Second, Resolution: time.Second})
	// One request a second for 30 s, the failed ones slow.
	for i := range 30 {
		at := t0.Add(time.Duration(i)*time.Second + 500*time.Millisecond)
		w.Record(at, time.Duration(i+1)*time.Millisecond, i%5 == 0)
	}
	now := t0.Add(29*time.Second + 900*time.Millisecond)
	st := w.Stats(now)
	// Slots 20..29 are in the window: the requests of 21..30 ms.
	if st.Requests != 10 || st.Failed != 2 {
		t.Fatalf("Requests %d Failed %d, want 10 and 2 (the last 10 s)", st.Requests, st.Failed)
	}
	if !near(st.P50, 25*time.Millisecond) || !near(st.P99, 30*time.Millisecond) {
		t.Errorf("p50 %v p99 %v, want 25ms and 30ms", st.P50, st.P99)
	}
	if st.Span != 9900*time.Millisecond || math.Abs(st.Rate-10/9.9) > 1e-9 {
		t.Errorf("Span %v Rate %v, want 9.9s and %v", st.Span, st.Rate, 10/9.9)
	}
	// Ten quiet seconds later nothing is left.
	if st := w.Stats(now.Add(10 * time.Second)); st.Requests != 0 || st.Rate != 0 || st.P50 != 0 || st.P99 != 0 {
		t.Errorf("after 10 quiet seconds: %+v, want nothing", st)
	}
}

func TestWindowYoungerThanSpan(t *testing.T) {
	start := t0.Add(300 * time.Millisecond)
	w := NewWindow(start, Options{})
	for range 4 {
		w.Record(start.Add(time.Second), time.Millisecond, false)
	}
	st := w.Stats(start.Add(2 * time.Second))
	if st.Span != 2*time.Second || st.Rate != 2 {
		t.Errorf("a 2 s old window: Span %v Rate %v, want 2s and 2/s", st.Span, st.Rate)
	}
}

func TestWindowReusesSlots(t *testing.T) {
	w := NewWindow(t0, Options{})
	w.Record(t0, time.Second, true)
	// The same slot of the ring, 10 s later: the old request is gone.
	later := t0.Add(10 * time.Second)
	w.Record(later, time.Millisecond, false)
	st := w.Stats(later)
	if st.Requests != 1 || st.Failed != 0 || !near(st.P99, time.Millisecond) {
		t.Errorf("%+v, want only the new request", st)
	}
}

func ramp(n int, step time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * step
	}
	return out
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}
