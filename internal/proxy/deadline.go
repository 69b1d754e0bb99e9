package proxy

import "time"

// attemptPolicy sets each attempt's deadline from its predicted cost: an
// attempt should have answered by min + factor × its predicted time on the
// worker it was sent to. Past it, the worker is suspect and the request is
// hedged. It is pure: time is an argument.
type attemptPolicy struct {
	min    time.Duration // floor (Config.AttemptTimeoutMin)
	factor float64       // slack multiplier (Config.AttemptTimeoutFactor)
}

// maxSlackSeconds keeps a deadline representable (about 146 years).
const maxSlackSeconds = float64(1<<62) / float64(time.Second)

// deadline is when an attempt sent at now, of units (ray-tracer
// equivalent) to a worker of speed (units per second per request), should
// have answered. An unknown speed (0) predicts nothing: the floor alone.
// ok is false when the request's own deadline (the zero time: none) comes
// first, or the prediction is too large to matter: the attempt then has
// no deadline of its own and is never hedged.
func (p attemptPolicy) deadline(now time.Time, units, speed float64, request time.Time) (deadline time.Time, ok bool) {
	predicted := 0.0
	if units > 0 && speed > 0 {
		predicted = units / speed
	}
	slack := p.factor * predicted
	if !(slack < maxSlackSeconds-p.min.Seconds()) { // NaN, infinite or too large
		return request, false
	}
	d := now.Add(p.min + time.Duration(slack*float64(time.Second)))
	if !request.IsZero() && !d.Before(request) {
		return request, false
	}
	return d, true
}
