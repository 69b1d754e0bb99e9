package sim

// eventKind is what happens at an event.
type eventKind uint8

const (
	evArrival eventKind = iota // a request (or a retry) reaches the load balancer
	evFinish                   // a worker's earliest request completes
	evReady                    // a worker finishes booting
	evFail                     // a worker dies
	evTick                     // the autoscaler evaluates; the series is sampled
)

// event is one scheduled event. For evFinish, version must match the
// worker's: a finish event is superseded whenever the worker's number of
// requests in flight changes.
type event struct {
	t       float64 // seconds from the start
	seq     uint64  // tie-break: the order events were scheduled in
	kind    eventKind
	req     int32 // evArrival
	worker  int32 // evFinish, evReady, evFail
	version uint32
}

// eventQueue is a binary min-heap of events by time, then scheduling
// order. It is written out rather than through container/heap so that no
// event is boxed in an interface.
type eventQueue struct {
	h   []event
	seq uint64
}

func (q *eventQueue) len() int { return len(q.h) }

func (q *eventQueue) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	if a.t != b.t {
		return a.t < b.t
	}
	return a.seq < b.seq
}

func (q *eventQueue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *eventQueue) pop() event {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}
