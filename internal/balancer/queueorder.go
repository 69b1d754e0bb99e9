package balancer

import (
	"cmp"
	"fmt"
	"time"
)

// QueueOrder is the order the load balancer's queued requests get workers
// in.
type QueueOrder uint8

// The queue orders.
const (
	// QueueSPF serves the smallest predicted request first, except that a
	// request that has waited the aging bound or longer goes before every
	// younger one (oldest first among those): no request waits much more
	// than the aging bound beyond what QueueFIFO would have given it.
	QueueSPF QueueOrder = iota
	// QueueFIFO serves the oldest request first.
	QueueFIFO
)

// DefaultQueueAging is the load balancer's default aging bound of QueueSPF.
const DefaultQueueAging = 2 * time.Second

func (o QueueOrder) String() string {
	switch o {
	case QueueSPF:
		return "spf"
	case QueueFIFO:
		return "fifo"
	}
	return fmt.Sprintf("QueueOrder(%d)", uint8(o))
}

// ParseQueueOrder parses "spf" or "fifo".
func ParseQueueOrder(s string) (QueueOrder, error) {
	switch s {
	case "spf":
		return QueueSPF, nil
	case "fifo":
		return QueueFIFO, nil
	}
	return 0, fmt.Errorf("queue order: must be spf or fifo, got %q", s)
}

// Waiting is what the queue order knows of a queued request.
type Waiting struct {
	Enqueued time.Time // when it entered the queue
	Units    float64   // its predicted units
}

// Overdue reports whether w has waited aging or longer at now.
func Overdue(w Waiting, aging time.Duration, now time.Time) bool {
	return now.Sub(w.Enqueued) >= aging
}

// Compare orders two queued requests at now: negative when a gets a worker
// before b, positive when after, 0 when the order leaves them as they
// arrived. Under QueueFIFO the older goes first. Under QueueSPF an overdue
// request (Overdue) goes before every other, the older of two overdue ones
// first; of two others the smaller prediction goes first, then the older.
// Sorting the queue stably by Compare gives the order it is served in; the
// first request of that order is the first of its oldest request and its
// smallest one (by predicted units, then age), which lets a queue keep
// just those two at hand.
func (o QueueOrder) Compare(a, b Waiting, aging time.Duration, now time.Time) int {
	if o == QueueSPF {
		ao, bo := Overdue(a, aging, now), Overdue(b, aging, now)
		switch {
		case ao && !bo:
			return -1
		case bo && !ao:
			return 1
		case !ao && !bo:
			if c := cmp.Compare(a.Units, b.Units); c != 0 {
				return c
			}
		}
	}
	return a.Enqueued.Compare(b.Enqueued)
}
