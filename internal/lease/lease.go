package lease

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Header is the request header of a lease renewal: a GET /health carrying
// it renews the worker's lease for the holder it names.
const Header = "X-Lease-Holder"

// MaxHolderLen bounds a holder's name, in bytes.
const MaxHolderLen = 256

// ErrBadHolder is wrapped by every refusal of CheckHolder.
var ErrBadHolder = errors.New("bad lease holder")

// CheckHolder reports whether s can name a holder: 1 to MaxHolderLen
// printable ASCII characters (spaces allowed, not at either end), as a
// header carries them.
func CheckHolder(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty", ErrBadHolder)
	case len(s) > MaxHolderLen:
		return fmt.Errorf("%w: %d bytes, want at most %d", ErrBadHolder, len(s), MaxHolderLen)
	case s != strings.TrimSpace(s):
		return fmt.Errorf("%w: leading or trailing space", ErrBadHolder)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return fmt.Errorf("%w: byte %d is not printable ASCII", ErrBadHolder, i+1)
		}
	}
	return nil
}

// Holder makes a valid holder name of s: characters a header cannot carry
// become '?', runs of spaces one space, and the result is cut to
// MaxHolderLen; an empty s gives "unknown".
func Holder(s string) string {
	b := make([]byte, 0, min(len(s), MaxHolderLen))
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if len(b) == MaxHolderLen {
			break
		}
		if r < 0x20 || r > 0x7e {
			r = '?'
		}
		b = append(b, byte(r))
	}
	if h := strings.TrimSpace(string(b)); h != "" {
		return h
	}
	return "unknown"
}

// Lease is a worker's lease: held from its creation for Timeout, and for
// Timeout after each renewal. It is safe for concurrent use.
type Lease struct {
	timeout time.Duration

	mu      sync.Mutex
	renewed time.Time // last renewal, or the creation
	holder  string    // "" before the first renewal
}

// New returns a lease of timeout (positive) that starts at now: the first
// renewal is due within timeout.
func New(timeout time.Duration, now time.Time) *Lease {
	return &Lease{timeout: timeout, renewed: now}
}

// Timeout is the lease's timeout.
func (l *Lease) Timeout() time.Duration { return l.timeout }

// Renew renews the lease at now for holder and returns the previous
// holder ("" before the first renewal). A renewal older than the last one
// (a late request) does not move the deadline back.
func (l *Lease) Renew(now time.Time, holder string) (previous string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	previous = l.holder
	if now.After(l.renewed) {
		l.renewed = now
	}
	l.holder = holder
	return previous
}

// Deadline is when the lease expires unless renewed.
func (l *Lease) Deadline() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.renewed.Add(l.timeout)
}

// Expired reports whether the lease has not been renewed for its timeout
// at now.
func (l *Lease) Expired(now time.Time) bool { return !now.Before(l.Deadline()) }

// State is what a lease says of itself at a time.
type State struct {
	Holder    string        // "" before the first renewal
	Since     time.Duration // since the last renewal (or the creation)
	Remaining time.Duration // until it expires; 0 once expired
}

// State returns the lease's state at now.
func (l *Lease) State(now time.Time) State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return State{Holder: l.holder, Since: now.Sub(l.renewed), Remaining: max(0, l.renewed.Add(l.timeout).Sub(now))}
}
