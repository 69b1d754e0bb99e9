package owner

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/lease"
)

// Owner is the process that owns a deployment: a load balancer running
// its provider.
type Owner struct {
	PID int `json:"pid"`
	// Start is the process's start time in clock ticks after boot
	// (/proc/PID/stat): a recycled pid has another.
	Start uint64 `json:"start"`
	// Boot is the kernel's boot id: a process of another boot is gone.
	Boot string `json:"boot"`
	Host string `json:"host"`
	// Address is the load balancer's URL, e.g. http://127.0.0.1:8000.
	Address string `json:"address,omitempty"`
	// Instance tells apart two owners made by one process (two providers).
	Instance string    `json:"instance"`
	Since    time.Time `json:"since"`
}

// Self is this process as the owner of a deployment whose load balancer
// listens at address (a URL; "" when it has none), from now on.
func Self(address string, now time.Time) Owner {
	o := Owner{PID: os.Getpid(), Boot: bootID(), Address: address, Since: now.UTC().Truncate(time.Second)}
	if st, ok := ReadStat(o.PID); ok {
		o.Start = st.Start
	}
	o.Host, _ = os.Hostname()
	var b [8]byte
	_, _ = rand.Read(b[:])
	o.Instance = hex.EncodeToString(b[:])
	return o
}

// OrSelf returns o, or Self with no address when o is the zero Owner.
func OrSelf(o Owner) Owner {
	if o.PID == 0 {
		return Self("", time.Now())
	}
	return o
}

// Alive reports whether the owner's process still runs on this machine:
// the same boot, its pid running, with the same start time. An owner that
// recorded no boot id or start time is judged on what it recorded.
func (o Owner) Alive() bool {
	if o.Boot != "" {
		if b := bootID(); b != "" && b != o.Boot {
			return false
		}
	}
	st, ok := ReadStat(o.PID)
	if !ok || !st.Running() {
		return false
	}
	return o.Start == 0 || st.Start == 0 || st.Start == o.Start
}

// Same reports whether o and p are the same owner.
func (o Owner) Same(p Owner) bool {
	return o.PID == p.PID && o.Start == p.Start && o.Boot == p.Boot && o.Instance == p.Instance
}

// String describes the owner in one line: "pid 4242 on host1, load
// balancer http://127.0.0.1:8000, since 2025-01-02 15:04:05 UTC".
func (o Owner) String() string {
	if o.PID == 0 {
		return "an owner that is starting up"
	}
	var b strings.Builder
	b.WriteString("pid " + strconv.Itoa(o.PID))
	if o.Host != "" {
		b.WriteString(" on " + o.Host)
	}
	if o.Address != "" {
		b.WriteString(", load balancer " + o.Address)
	}
	if !o.Since.IsZero() {
		b.WriteString(", since " + o.Since.Local().Format("2006-01-02 15:04:05 MST"))
	}
	return b.String()
}

// Holder is the name the owner renews its workers' leases under.
func (o Owner) Holder() string {
	h := "vfx pid " + strconv.Itoa(o.PID)
	if o.Host != "" {
		h += " on " + o.Host
	}
	if o.Address != "" {
		h += " " + o.Address
	}
	return lease.Holder(h)
}

// Marshal encodes the owner as JSON.
func (o Owner) Marshal() []byte {
	b, _ := json.Marshal(o) // a struct of strings, numbers and a time
	return b
}

// MaxRecordSize bounds an encoded owner.
const MaxRecordSize = 4 << 10

// Parse decodes and checks an encoded owner.
func Parse(b []byte) (Owner, error) {
	var o Owner
	if len(b) > MaxRecordSize {
		return o, fmt.Errorf("owner record is %d bytes, limit %d", len(b), MaxRecordSize)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("owner record: %w", err)
	}
	var errs []error
	if o.PID < 1 {
		errs = append(errs, fmt.Errorf("pid %d", o.PID))
	}
	for _, f := range []struct{ name, v string }{{"host", o.Host}, {"address", o.Address}, {"boot", o.Boot}, {"instance", o.Instance}} {
		if len(f.v) > 256 || strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			errs = append(errs, fmt.Errorf("%s %q is not a printable line of at most 256 bytes", f.name, f.v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("owner record: %w", err)
	}
	return o, nil
}

// ErrOwned is wrapped by the error of a start that found a live owner
// (a *HeldError).
var ErrOwned = errors.New("owned by a running vfx")

// HeldError is the refusal of a start that found a live owner.
type HeldError struct {
	What  string // what is owned, e.g. "state directory /srv/vfx"
	Owner Owner
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is owned by a running vfx (%s)", e.What, e.Owner)
}

// Is makes errors.Is(err, ErrOwned) true.
func (e *HeldError) Is(target error) bool { return target == ErrOwned }
