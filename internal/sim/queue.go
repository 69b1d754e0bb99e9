package sim

import (
	"time"

	"github.com/specialvfx/vfx/internal/balancer"
)

// waitQueue is the load balancer's queue: requests in arrival order (a
// FIFO with lazy deletion) and a min-heap of the same requests by
// predicted units, then arrival. The next request to serve is whichever
// of the oldest and the smallest balancer.QueueOrder.Compare puts first,
// so each operation is O(log n) however long the queue.
type waitQueue struct {
	fifo []qentry // arrival order from head; stale entries are skipped
	head int
	heap []qentry // by units, then seq
	pos  []int32  // index in heap of request i, -1 when not queued
	seq  []uint64 // seq of request i's latest entry
	next uint64
	n    int
	// units is the sum of the predicted units queued.
	units float64
}

// qentry is one queued request.
type qentry struct {
	units float64
	seq   uint64 // arrival order
	at    float64
	req   int32
}

func newWaitQueue(n int) waitQueue {
	q := waitQueue{pos: make([]int32, n), seq: make([]uint64, n)}
	for i := range q.pos {
		q.pos[i] = -1
	}
	return q
}

func (q *waitQueue) len() int { return q.n }

// push queues request i at now with its predicted units.
func (q *waitQueue) push(i int32, now, units float64) {
	q.next++
	e := qentry{units: units, seq: q.next, at: now, req: i}
	q.seq[i] = e.seq
	q.fifo = append(q.fifo, e)
	q.heap = append(q.heap, e)
	k := len(q.heap) - 1
	q.pos[i] = int32(k)
	q.up(k)
	q.n++
	q.units += units
}

// oldest is the oldest queued request (the queue is not empty).
func (q *waitQueue) oldest() qentry {
	for {
		e := q.fifo[q.head]
		if q.pos[e.req] >= 0 && q.seq[e.req] == e.seq {
			return e
		}
		q.head++
	}
}

// first is the request that gets a worker next under ord at now (the queue
// is not empty).
func (q *waitQueue) first(ord balancer.QueueOrder, aging time.Duration, now float64) qentry {
	o, s := q.oldest(), q.heap[0]
	if o.req == s.req {
		return o
	}
	t := epoch.Add(secs(now))
	if ord.Compare(waiting(o), waiting(s), aging, t) <= 0 {
		return o
	}
	return s
}

func waiting(e qentry) balancer.Waiting {
	return balancer.Waiting{Enqueued: epoch.Add(secs(e.at)), Units: e.units}
}

// remove takes queued request i out of the queue.
func (q *waitQueue) remove(i int32) {
	k := int(q.pos[i])
	q.units -= q.heap[k].units
	last := len(q.heap) - 1
	q.swap(k, last)
	q.heap = q.heap[:last]
	q.pos[i] = -1
	if k < last {
		q.down(k)
		q.up(k)
	}
	q.n--
	if q.n == 0 {
		q.fifo, q.head, q.units = q.fifo[:0], 0, 0 // no drift
		return
	}
	for q.head < len(q.fifo) {
		e := q.fifo[q.head]
		if q.pos[e.req] >= 0 && q.seq[e.req] == e.seq {
			break
		}
		q.head++
	}
	if q.head > 1024 && q.head*2 > len(q.fifo) {
		m := copy(q.fifo, q.fifo[q.head:])
		q.fifo, q.head = q.fifo[:m], 0
	}
}

func (q *waitQueue) less(a, b int) bool {
	x, y := &q.heap[a], &q.heap[b]
	if x.units != y.units {
		return x.units < y.units
	}
	return x.seq < y.seq
}

func (q *waitQueue) swap(a, b int) {
	q.heap[a], q.heap[b] = q.heap[b], q.heap[a]
	q.pos[q.heap[a].req] = int32(a)
	q.pos[q.heap[b].req] = int32(b)
}

func (q *waitQueue) up(k int) {
	for k > 0 {
		p := (k - 1) / 2
		if !q.less(k, p) {
			break
		}
		q.swap(k, p)
		k = p
	}
}

func (q *waitQueue) down(k int) {
	n := len(q.heap)
	for {
		l := 2*k + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, k) {
			break
		}
		q.swap(k, m)
		k = m
	}
}
