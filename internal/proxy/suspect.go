package proxy

import "github.com/specialvfx/vfx/internal/lifecycle"

// A worker whose health check times out, or on which an attempt outlives
// its deadline, is suspect at once: a ready worker becomes unhealthy (the
// change lifecycle's table allows) and gets no new request, without
// waiting for UnhealthyThreshold failed checks. It returns to ready as
// soon as it answers again: a passed health check or a response to an
// attempt. A suspect worker whose checks go on failing until the
// threshold is unhealthy the usual way, and needs HealthyThreshold passed
// checks to return.

// suspectLocked takes a ready worker out of service for why. A worker in
// any other state keeps it: booting and unhealthy ones get no requests
// anyway, and a draining one stays draining.
func (p *Pool) suspectLocked(w *member, why string) {
	if w.state != lifecycle.Ready {
		return
	}
	w.healthOK = 0
	p.setStateLocked(w, lifecycle.Unhealthy, "suspect: "+why)
	w.suspect = w.state == lifecycle.Unhealthy
}

// overdue books that an attempt on l's worker outlived its deadline: the
// worker becomes suspect. It reports whether the worker has stopped
// answering its health checks (or left the pool); if it has not, stalled
// is closed when it does.
func (p *Pool) overdue(l *lease, requestID string) (unresponsive bool, stalled <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := l.w
	p.suspectLocked(w, "attempt deadline passed (request "+requestID+")")
	if w.unresponsive || w.removed {
		return true, nil
	}
	if w.stalled == nil {
		w.stalled = make(chan struct{})
	}
	return false, w.stalled
}

// stallLocked wakes the attempts waiting for the worker to stop answering.
func (w *member) stallLocked() {
	if w.stalled != nil {
		close(w.stalled)
		w.stalled = nil
	}
}
