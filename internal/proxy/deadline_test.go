package proxy

import (
	"math"
	"testing"
	"time"
)

// TestAttemptDeadline scripts the deadline policy: the floor plus the
// slack multiplier times the predicted time (units over speed), capped by
// the request's own deadline.
func TestAttemptDeadline(t *testing.T) {
	p := attemptPolicy{min: 2 * time.Second, factor: 3}
	now := t0
	tests := []struct {
		name    string
		units   float64
		speed   float64
		request time.Time
		want    time.Time
		ok      bool
	}{
		{"floor plus three times the prediction", 1e6, 1e6, now.Add(time.Hour), now.Add(5 * time.Second), true},
		{"a fast worker: a shorter deadline", 1e6, 4e6, now.Add(time.Hour), now.Add(2750 * time.Millisecond), true},
		{"a slow worker: a longer deadline", 1e6, 1e5, now.Add(time.Hour), now.Add(32 * time.Second), true},
		{"no request deadline", 1e6, 1e6, time.Time{}, now.Add(5 * time.Second), true},
		{"unknown speed: the floor", 1e6, 0, now.Add(time.Hour), now.Add(2 * time.Second), true},
		{"no units: the floor", 0, 1e6, now.Add(time.Hour), now.Add(2 * time.Second), true},
		{"negative prediction: the floor", -5, 1e6, now.Add(time.Hour), now.Add(2 * time.Second), true},
		{"the request's deadline comes first", 1e6, 1e6, now.Add(4 * time.Second), now.Add(4 * time.Second), false},
		{"the request's deadline at the same time", 1e6, 1e6, now.Add(5 * time.Second), now.Add(5 * time.Second), false},
		{"the request's deadline already passed", 1e6, 1e6, now.Add(-time.Second), now.Add(-time.Second), false},
		{"an infinite prediction", math.Inf(1), 1, now.Add(time.Hour), now.Add(time.Hour), false},
		{"a prediction too large for a duration", 1e300, 1e-300, now.Add(time.Hour), now.Add(time.Hour), false},
		{"a NaN prediction: the floor", math.NaN(), 1, now.Add(time.Hour), now.Add(2 * time.Second), true},
		{"a NaN speed: the floor", 1e6, math.NaN(), now.Add(time.Hour), now.Add(2 * time.Second), true},
		{"too large and no request deadline", math.Inf(1), 1, time.Time{}, time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := p.deadline(now, tc.units, tc.speed, tc.request)
			if !got.Equal(tc.want) || ok != tc.ok {
				t.Errorf("deadline = now+%s, %v; want now+%s, %v", got.Sub(now), ok, tc.want.Sub(now), tc.ok)
			}
		})
	}
}
