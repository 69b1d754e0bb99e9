package loadgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/specialvfx/vfx/internal/workload"
)

// Mix is a request mix ready to draw from: weighted items, each a
// repeated input built once or a generator of new inputs, and the items
// of one burst.
type Mix struct {
	name  string
	items []*mixItem
	cum   []float64 // cumulative weights
	burst []int     // indexes into items
}

type mixItem struct {
	name   string
	kind   workload.Kind
	weight float64
	about  string // what the item sends, for listings
	input  *Input // a repeated input, or
	gen    generator
}

// generator draws a new input for each request. draw picks the input's
// parameters from rng (called in sequence order, so the sequence is
// reproducible) and returns what builds it; build may run on another
// goroutine, ahead of the request's send time.
type generator interface {
	draw(rng *rand.Rand) (build func() (*Input, error), err error)
}

// newMix assembles a mix; burst names items.
func newMix(name string, items []*mixItem, burst []string) (*Mix, error) {
	m := &Mix{name: name, items: items}
	index := map[string]int{}
	total := 0.0
	for i, it := range items {
		index[it.name] = i
		total += it.weight
		m.cum = append(m.cum, total)
	}
	if total <= 0 {
		return nil, errors.New("a mix needs an item with a positive weight")
	}
	for _, b := range burst {
		i, ok := index[b]
		if !ok {
			return nil, fmt.Errorf("burst: %q is not an item", b)
		}
		m.burst = append(m.burst, i)
	}
	return m, nil
}

// Name is the mix's name: the preset's, or the spec file's path.
func (m *Mix) Name() string { return m.name }

// BurstLen is the number of requests of one burst of the mix's own (0:
// bursts draw by weight).
func (m *Mix) BurstLen() int { return len(m.burst) }

// generated reports whether some item draws a new input per request.
func (m *Mix) generated() bool {
	for _, it := range m.items {
		if it.gen != nil {
			return true
		}
	}
	return false
}

// pick draws an item by weight.
func (m *Mix) pick(rng *rand.Rand) *mixItem {
	x := rng.Float64() * m.cum[len(m.cum)-1]
	i := sort.SearchFloat64s(m.cum, x)
	for i < len(m.items)-1 && (m.cum[i] <= x || m.items[i].weight == 0) {
		i++
	}
	return m.items[i]
}

// ItemInfo describes one item of a mix.
type ItemInfo struct {
	Name     string
	Workload workload.Kind
	Weight   float64
	// About says what the item sends (file, sizes, or how its inputs are
	// drawn).
	About string
	// Input is the item's request, nil for an item that draws a new
	// input per request.
	Input *Input
}

// Items lists the mix's items in order.
func (m *Mix) Items() []ItemInfo {
	out := make([]ItemInfo, len(m.items))
	for i, it := range m.items {
		out[i] = ItemInfo{Name: it.name, Workload: it.kind, Weight: it.weight, About: it.about, Input: it.input}
	}
	return out
}

// Burst lists the items of one burst, by name (nil: bursts draw by
// weight).
func (m *Mix) Burst() []string {
	var out []string
	for _, i := range m.burst {
		out = append(out, m.items[i].name)
	}
	return out
}
