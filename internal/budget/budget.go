package budget

import (
	"errors"
	"fmt"
	"sync"
)

// Sentinel errors of Reserve and ReadBody; callers branch on them.
var (
	// ErrExhausted: the reservation does not fit in what the budget has
	// left now; it may later.
	ErrExhausted = errors.New("memory budget exhausted")
	// ErrTooLarge: the holder would hold more than the whole budget (or a
	// body is longer than its limit): it never fits.
	ErrTooLarge = errors.New("larger than the limit")
)

// Budget is a byte limit shared by holders. Its methods are safe for
// concurrent use.
type Budget struct {
	limit    int64
	headroom int64 // the last part of the limit, for small holders
	small    int64 // the most a small holder holds

	mu   sync.Mutex
	used int64
}

// New returns a budget of limit bytes (at least 1).
func New(limit int64) *Budget {
	limit = max(limit, 1)
	return &Budget{limit: limit, headroom: limit / 8, small: limit / 128}
}

// For is the smallest limit whose room holds one holder of n bytes (see
// Room): what a server's budget must be at least to take its largest
// request.
func For(n int64) int64 {
	l := n + n/7 // about right: the room is seven eighths of the limit
	for l > 1 && New(l-1).Room(n) >= n {
		l--
	}
	for New(l).Room(n) < n {
		l++
	}
	return l
}

// Limit is the budget's size in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// Used is the number of bytes reserved now.
func (b *Budget) Used() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Hold returns an empty hold on b.
func (b *Budget) Hold() *Hold { return &Hold{b: b} }

// reserve adds n bytes to a hold that holds held bytes.
func (b *Budget) reserve(held, n int64) error {
	room := b.Room(held + n)
	if held+n > room {
		return fmt.Errorf("%w: %d bytes needed, at most %d can be held", ErrTooLarge, held+n, room)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > room {
		return fmt.Errorf("%w: %d of %d bytes reserved, %d more asked", ErrExhausted, b.used, b.limit, n)
	}
	b.used += n
	return nil
}

// Room is how much of the budget a holder that holds n bytes may fill:
// all of it when n is small (at most a 128th of the limit), all but the
// last eighth otherwise. A holder never holds more than its room.
func (b *Budget) Room(n int64) int64 {
	if n <= b.small {
		return b.limit
	}
	return b.limit - b.headroom
}

// free returns n reserved bytes.
func (b *Budget) free(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
}

// Hold is one holder's reservations on a Budget. It is safe for
// concurrent use.
type Hold struct {
	b    *Budget
	mu   sync.Mutex
	held int64
}

// Reserve adds n bytes to h, or returns an error wrapping ErrExhausted
// (not now) or ErrTooLarge (never) and reserves nothing.
func (h *Hold) Reserve(n int64) error {
	if n <= 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.b.reserve(h.held, n); err != nil {
		return err
	}
	h.held += n
	return nil
}

// Free returns n of h's bytes to the budget (all of them if n is more).
func (h *Hold) Free(n int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n = min(n, h.held)
	if n <= 0 {
		return
	}
	h.b.free(n)
	h.held -= n
}

// Release returns everything h holds. h may reserve again afterwards.
func (h *Hold) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.b.free(h.held)
	h.held = 0
}

// Held is the number of bytes h holds.
func (h *Hold) Held() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held
}
