package worker

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

// orderWindow is how long the ordering tests hold a sample back to give a
// server that samples out of order the chance to show it. A correct server
// cannot do what they watch for in that time; it only makes the tests as
// long, never makes them fail.
const orderWindow = 500 * time.Millisecond

// hookedRecorder is a fakeRecorder that calls before with each worker
// sample's index and the sample, before it keeps the sample.
type hookedRecorder struct {
	fakeRecorder
	n      atomic.Int64
	before func(i int, s metrics.WorkerSample)
}

func (h *hookedRecorder) WorkerSample(s metrics.WorkerSample) {
	h.before(int(h.n.Add(1)-1), s)
	h.fakeRecorder.WorkerSample(s)
}

// acceptWatcher is a listener that closes accepting when Accept is first
// called.
type acceptWatcher struct {
	net.Listener
	once      sync.Once
	accepting chan struct{}
}

func (l *acceptWatcher) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.accepting) })
	return l.Listener.Accept()
}

// within waits up to d for cond, checking every millisecond, and returns
// whether it held.
func within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// assertSamplesInOrder fails t unless the samples' times never go back.
func assertSamplesInOrder(t *testing.T, samples []metrics.WorkerSample) {
	t.Helper()
	for i := 1; i < len(samples); i++ {
		if samples[i].Time.Before(samples[i-1].Time) {
			t.Errorf("sample %d (%s at %s) recorded after sample %d (%s at %s): samples out of time order",
				i, samples[i].Health, samples[i].Time.Format(time.StampMicro),
				i-1, samples[i-1].Health, samples[i-1].Time.Format(time.StampMicro))
		}
	}
}

// TestServeSamplesBeforeAccepting holds the worker's first sample back
// until the server accepts a connection (or orderWindow passes): a worker
// must have recorded its first sample, ready, before it serves anything.
func TestServeSamplesBeforeAccepting(t *testing.T) {
	ln := &acceptWatcher{Listener: listenLoopback(t), accepting: make(chan struct{})}
	var acceptedFirst atomic.Bool
	rec := &hookedRecorder{before: func(i int, _ metrics.WorkerSample) {
		if i != 0 {
			return
		}
		select {
		case <-ln.accepting:
			acceptedFirst.Store(true)
		case <-time.After(orderWindow):
		}
	}}
	s := newServerWith(t, rec, nil)
	base, stop, wait := serveOn(t, s, ln)
	normalRequest(t, base)
	stop()
	if err := wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if acceptedFirst.Load() {
		t.Error("the worker accepted connections before its first sample was recorded")
	}
	samples := rec.workerSamples()
	if len(samples) < 2 || samples[0].Health != lifecycle.Ready {
		t.Errorf("samples %+v: want a ready one first", samples)
	}
	assertSamplesInOrder(t, samples)
}

// TestServeSamplesInTimeOrder holds a periodic sample back while the
// worker starts draining: the draining sample must be recorded after it,
// never beside it with a later time.
func TestServeSamplesInTimeOrder(t *testing.T) {
	held, release := make(chan struct{}), make(chan struct{})
	rec := &hookedRecorder{before: func(i int, _ metrics.WorkerSample) {
		if i == 1 { // the first periodic sample
			close(held)
			<-release
		}
	}}
	s := newServerWith(t, rec, nil)
	_, stop, wait := serveOnLoopback(t, s)
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("no periodic sample within 10s (sample interval 50ms)")
	}
	stop()
	waitFor(t, 5*time.Second, "the worker to drain", func() bool { return s.Health() == lifecycle.Draining })
	drainingSampled := within(orderWindow, func() bool {
		for _, sm := range rec.workerSamples() {
			if sm.Health == lifecycle.Draining {
				return true
			}
		}
		return false
	})
	close(release)
	if err := wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if drainingSampled {
		t.Error("a draining sample was recorded while an earlier sample was still being recorded")
	}
	samples := rec.workerSamples()
	assertSamplesInOrder(t, samples)
	if n := len(samples); n < 4 || samples[0].Health != lifecycle.Ready || samples[n-2].Health != lifecycle.Draining ||
		samples[n-1].Health != lifecycle.Draining || samples[n-1].InFlight != 0 {
		t.Errorf("samples %+v: want ready ones, then one when draining starts and one when it ends", samples)
	}
}
