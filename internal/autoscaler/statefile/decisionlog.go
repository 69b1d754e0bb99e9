package statefile

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// DefaultLogLimit is how many decisions a DecisionLog keeps by default.
const DefaultLogLimit = 1000

// Decision is one autoscaler decision as ASState.xml and the JSON API show
// it.
type Decision struct {
	ID      uint64           `json:"id"` // assigned by DecisionLog.Add, from 1
	Time    time.Time        `json:"time"`
	Policy  string           `json:"policy"`
	Action  lifecycle.Action `json:"action"`
	From    int              `json:"from"`    // pool size before: workers not draining
	To      int              `json:"to"`      // target pool size
	Workers []string         `json:"workers"` // workers drained or replaced
	Panic   bool             `json:"panic"`   // the policy was in panic mode (JSON only)
	Reason  string           `json:"reason"`
}

// NewDecision describes the decision d that policy took at now for a pool
// of from workers (autoscaler.Observation.PoolSize). A decision that
// replaces workers is a replace, even when it also launches more.
func NewDecision(now time.Time, policy string, from int, d autoscaler.Decision) Decision {
	out := Decision{Time: now, Policy: policy, From: from, To: d.Desired, Panic: d.Panic, Reason: d.Reason}
	switch {
	case len(d.Replace) > 0:
		out.Action = lifecycle.ActionReplace
	case d.Launch > 0:
		out.Action = lifecycle.ActionAdd
	case len(d.Drain) > 0:
		out.Action = lifecycle.ActionRemove
	default:
		out.Action = lifecycle.ActionKeep
	}
	out.Workers = append(append(out.Workers, d.Drain...), d.Replace...)
	return out
}

// DecisionLog keeps the last decisions that changed something. It is safe
// for concurrent use.
type DecisionLog struct {
	mu     sync.Mutex
	limit  int
	ring   []Decision // oldest first once full: ring[next:] then ring[:next]
	next   int
	lastID uint64
	seen   bool // whether a decision has been offered yet
	lastTo int
	lastP  bool
}

// NewDecisionLog returns a log that keeps the last limit decisions
// (DefaultLogLimit when limit ≤ 0).
func NewDecisionLog(limit int) *DecisionLog {
	if limit <= 0 {
		limit = DefaultLogLimit
	}
	return &DecisionLog{limit: limit}
}

// Add records d if it changed something: it launched, drained or replaced
// workers, or (as a keep) its target or panic mode differs from the
// previous decision offered. It assigns the next ID and reports whether d
// was recorded.
func (l *DecisionLog) Add(d Decision) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := d.Action != lifecycle.ActionKeep || (l.seen && (d.To != l.lastTo || d.Panic != l.lastP))
	l.seen, l.lastTo, l.lastP = true, d.To, d.Panic
	if !changed {
		return false
	}
	l.lastID++
	d.ID = l.lastID
	d.Workers = slices.Clone(d.Workers)
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, d)
		return true
	}
	l.ring[l.next] = d
	l.next = (l.next + 1) % l.limit
	return true
}

// Decisions returns the recorded decisions, oldest first.
func (l *DecisionLog) Decisions() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Decision, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	out = append(out, l.ring[:l.next]...)
	return out
}

// WriteFile rewrites path atomically with the recorded decisions:
//
//	<asState><decision><id/><time/><policy/><action/><from/><to/>
//	<workers><worker/>…</workers><reason/></decision>…</asState>
//
// time is RFC 3339 in UTC; action is add, remove, keep or replace.
func (l *DecisionLog) WriteFile(path string) error {
	ds := l.Decisions()
	return writeAtomic(path, func(w io.Writer) error { return EncodeASState(w, ds) })
}

type xmlASState struct {
	XMLName   xml.Name      `xml:"asState"`
	Decisions []xmlDecision `xml:"decision"`
}

type xmlDecision struct {
	ID      uint64     `xml:"id"`
	Time    string     `xml:"time"`
	Policy  string     `xml:"policy"`
	Action  string     `xml:"action"`
	From    int        `xml:"from"`
	To      int        `xml:"to"`
	Workers xmlWorkers `xml:"workers"`
	Reason  string     `xml:"reason"`
}

type xmlWorkers struct {
	IDs []string `xml:"worker"`
}

// EncodeASState writes the ASState.xml document for ds to w.
func EncodeASState(w io.Writer, ds []Decision) error {
	doc := xmlASState{Decisions: make([]xmlDecision, 0, len(ds))}
	for _, d := range ds {
		if _, err := d.Action.MarshalText(); err != nil {
			return fmt.Errorf("decision %s: %w", strconv.FormatUint(d.ID, 10), err)
		}
		doc.Decisions = append(doc.Decisions, xmlDecision{
			ID: d.ID, Time: rfc3339(d.Time), Policy: d.Policy, Action: d.Action.String(),
			From: d.From, To: d.To, Workers: xmlWorkers{IDs: d.Workers}, Reason: d.Reason,
		})
	}
	return encode(w, doc)
}
