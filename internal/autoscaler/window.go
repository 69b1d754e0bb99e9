package autoscaler

import "time"

// maxRateSamples bounds a rateWindow; beyond it neighbouring samples are
// merged, which keeps totals exact and only coarsens where they fall.
const maxRateSamples = 4096

// rateSample is the work that arrived during (from, to].
type rateSample struct {
	from, to time.Time
	units    float64
}

// rateWindow averages arrivals over trailing windows of time.
type rateWindow struct {
	s     []rateSample
	start time.Time // start of the first sample ever recorded
	last  time.Time // end of the latest sample
}

// add records units that arrived since the previous call; the first call
// covers the span first before now. now must not go backwards (the
// policies clamp it).
func (w *rateWindow) add(now time.Time, units float64, first time.Duration) {
	switch {
	case w.last.IsZero():
		w.start = now.Add(-first)
		w.s = append(w.s, rateSample{from: w.start, to: now, units: units})
	case !now.After(w.last):
		if n := len(w.s); n > 0 {
			w.s[n-1].units += units
			return
		}
		w.s = append(w.s, rateSample{from: w.last, to: w.last, units: units})
	default:
		w.s = append(w.s, rateSample{from: w.last, to: now, units: units})
	}
	if now.After(w.last) {
		w.last = now
	}
	if len(w.s) > maxRateSamples {
		w.compact()
	}
}

// compact merges neighbouring samples pairwise.
func (w *rateWindow) compact() {
	out := w.s[:0]
	for i := 0; i < len(w.s); i += 2 {
		s := w.s[i]
		if i+1 < len(w.s) {
			s.to = w.s[i+1].to
			s.units += w.s[i+1].units
		}
		out = append(out, s)
	}
	w.s = out
}

// prune drops samples that ended at or before cutoff.
func (w *rateWindow) prune(cutoff time.Time) {
	i := 0
	for i < len(w.s) && !w.s[i].to.After(cutoff) {
		i++
	}
	if i > 0 {
		w.s = append(w.s[:0], w.s[i:]...)
	}
}

// rate is the average arrival rate in units per second over the window
// that ends at now, or over the time observed so far when that is shorter.
// A sample that straddles the window's start counts in proportion.
func (w *rateWindow) rate(now time.Time, window time.Duration) float64 {
	ws := now.Add(-window)
	begin := ws
	if w.start.After(begin) {
		begin = w.start
	}
	span := now.Sub(begin)
	if span <= 0 {
		return 0
	}
	var sum float64
	for _, s := range w.s {
		if !s.to.After(ws) {
			continue
		}
		d := s.to.Sub(s.from)
		if d <= 0 || !s.from.Before(ws) {
			sum += s.units
			continue
		}
		sum += s.units * float64(s.to.Sub(ws)) / float64(d)
	}
	return sum / span.Seconds()
}

// maxWindow keeps the largest value recorded over a trailing window; it is
// a monotonic queue, so its size stays at the number of distinct times in
// the window at most.
type maxWindow struct {
	q []maxSample
}

type maxSample struct {
	t time.Time
	v int
}

// add records v at now.
func (m *maxWindow) add(now time.Time, v int) {
	for len(m.q) > 0 && m.q[len(m.q)-1].v <= v {
		m.q = m.q[:len(m.q)-1]
	}
	m.q = append(m.q, maxSample{now, v})
}

// max returns the largest value recorded at or after now-window; call it
// after add, so the window is never empty.
func (m *maxWindow) max(now time.Time, window time.Duration) int {
	cutoff := now.Add(-window)
	i := 0
	for i < len(m.q)-1 && m.q[i].t.Before(cutoff) {
		i++
	}
	if i > 0 {
		m.q = append(m.q[:0], m.q[i:]...)
	}
	if len(m.q) == 0 {
		return 0
	}
	return m.q[0].v
}

// clock makes the times handed to a policy non-decreasing: a now earlier
// than the previous one is taken as the previous one.
type clock struct{ last time.Time }

func (c *clock) advance(now time.Time) time.Time {
	if now.Before(c.last) {
		return c.last
	}
	c.last = now
	return now
}
