package estimator

import (
	"container/list"
	"sync"

	"github.com/specialvfx/vfx/internal/workload"
)

// memoryKey identifies a request whose cost is known exactly: the same
// inputs with the same cost-changing parameters. Image workloads depend on
// their input alone; the ray tracer also on its window and anti-aliasing.
type memoryKey struct {
	kind                                   workload.Kind
	hash                                   string
	scols, srows, wcols, wrows, coff, roff int
	aa                                     bool
}

type memoryEntry struct {
	key       memoryKey
	units     float64 // most recent
	low, high float64 // range of every value seen
	seen      int
}

// memory is a bounded LRU of known costs, safe for concurrent use.
type memory struct {
	mu      sync.Mutex
	max     int
	maxHash int
	order   *list.List // front: most recently used
	entries map[memoryKey]*list.Element
	perKind map[workload.Kind]int
}

func newMemory(size, maxHash int) *memory {
	return &memory{
		max:     size,
		maxHash: maxHash,
		order:   list.New(),
		entries: make(map[memoryKey]*list.Element),
		perKind: make(map[workload.Kind]int),
	}
}

// key returns f's memory key, or false when f cannot be remembered (no
// input hash, or one longer than the limit).
func (m *memory) key(f workload.Features) (memoryKey, bool) {
	if f.InputHash == "" || len(f.InputHash) > m.maxHash {
		return memoryKey{}, false
	}
	k := memoryKey{kind: f.Kind, hash: f.InputHash}
	if f.Kind == workload.Raytracer {
		k.scols, k.srows, k.wcols, k.wrows = f.SCols, f.SRows, f.WCols, f.WRows
		k.coff, k.roff, k.aa = f.COff, f.ROff, f.AA
	}
	return k, true
}

func (m *memory) get(f workload.Features) (memoryEntry, bool) {
	k, ok := m.key(f)
	if !ok {
		return memoryEntry{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.entries[k]
	if !ok {
		return memoryEntry{}, false
	}
	m.order.MoveToFront(el)
	return *el.Value.(*memoryEntry), true
}

func (m *memory) put(f workload.Features, units float64) {
	k, ok := m.key(f)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.entries[k]; ok {
		e := el.Value.(*memoryEntry)
		e.units = units
		e.low, e.high = min(e.low, units), max(e.high, units)
		e.seen++
		m.order.MoveToFront(el)
		return
	}
	for m.order.Len() >= m.max {
		old := m.order.Back()
		e := old.Value.(*memoryEntry)
		delete(m.entries, e.key)
		m.perKind[e.key.kind]--
		m.order.Remove(old)
	}
	m.entries[k] = m.order.PushFront(&memoryEntry{key: k, units: units, low: units, high: units, seen: 1})
	m.perKind[k.kind]++
}

func (m *memory) size(kind workload.Kind) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.perKind[kind]
}
