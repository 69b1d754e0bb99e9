package autoscaler

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// observationsFrom turns fuzz bytes into a sequence of observations of a
// pool of up to 8 workers with arbitrary states, loads and speeds.
func observationsFrom(data []byte) (steps []time.Duration, obs []Observation) {
	states := []lifecycle.State{lifecycle.Ready, lifecycle.Booting, lifecycle.Draining, lifecycle.Unhealthy, lifecycle.Terminated, 0}
	floats := []float64{0, 1, 500, 1e4, 1e9, -1, math.NaN(), math.Inf(1), 1e300}
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	for len(data) > 0 && len(obs) < 64 {
		dt := time.Duration(int8(next())) * 250 * time.Millisecond // may go backwards
		n := int(next() % 9)
		o := Observation{QueuedUnits: floats[int(next())%len(floats)], QueueLen: int(int8(next())), ArrivedUnits: floats[int(next())%len(floats)]}
		for i := range n {
			w := Worker{
				ID:            fmt.Sprintf("w%d", next()%12),
				State:         states[int(next())%len(states)],
				InFlight:      int(int8(next())),
				PredictedLeft: floats[int(next())%len(floats)],
				Speed:         floats[int(next())%len(floats)],
				CPUPercent:    float64(int8(next())),
			}
			if b := next(); b%3 != 0 {
				w.LaunchedAt = t0.Add(-time.Duration(b) * time.Second)
			}
			if b := next(); b%2 == 0 {
				w.UnhealthySince = t0.Add(-time.Duration(b) * time.Second)
			}
			_ = i
			o.Workers = append(o.Workers, w)
		}
		steps = append(steps, dt)
		obs = append(obs, o)
	}
	return steps, obs
}

// FuzzDecide checks, for every policy, what must hold whatever the input:
// no panic, the target within [min, max] (fixed: min), launches only up to
// the target, drains only of ready workers and at most the step, replaces
// only of unhealthy or booting workers, and a reason.
func FuzzDecide(f *testing.F) {
	f.Add([]byte{8, 3, 2, 10, 3, 1, 0, 5, 3, 2, 100, 0, 1, 1, 0, 4, 1, 1, 2, 50, 9, 9})
	f.Add([]byte{255, 8, 7, 200, 7, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
	f.Fuzz(func(t *testing.T, data []byte) {
		steps, obs := observationsFrom(data)
		cfg := testConfig()
		cfg.MaxScaleDownStep = 2
		for _, name := range Names() {
			p := mustNew(t, name, cfg)
			now := t0
			for i, o := range obs {
				now = now.Add(steps[i])
				d := p.Decide(now, o)
				checkInvariants(t, name, cfg, o, d)
			}
		}
	})
}

func checkInvariants(t *testing.T, name string, cfg Config, o Observation, d Decision) {
	t.Helper()
	lo, hi := cfg.Min, cfg.Max
	if name == "fixed" {
		hi = cfg.Min
	}
	if d.Desired < lo || d.Desired > hi {
		t.Fatalf("%s: desired %d outside [%d, %d]", name, d.Desired, lo, hi)
	}
	if d.Launch < 0 || d.Launch > hi {
		t.Fatalf("%s: launch %d", name, d.Launch)
	}
	if len(d.Drain) > cfg.MaxScaleDownStep || (d.Launch > 0 && len(d.Drain) > 0) {
		t.Fatalf("%s: launch %d and drain %v", name, d.Launch, d.Drain)
	}
	// IDs may repeat in fuzzed input: an ID is fine if any worker with
	// it is in an acceptable state.
	states := map[string][]lifecycle.State{}
	for _, w := range o.Workers {
		states[w.ID] = append(states[w.ID], w.State)
	}
	for _, id := range d.Drain {
		if !slices.Contains(states[id], lifecycle.Ready) {
			t.Fatalf("%s: drains %s in states %q", name, id, states[id])
		}
	}
	for _, id := range d.Replace {
		if !slices.ContainsFunc(states[id], func(s lifecycle.State) bool {
			return s != lifecycle.Ready && s != lifecycle.Draining && s != lifecycle.Terminated
		}) {
			t.Fatalf("%s: replaces %s in states %q", name, id, states[id])
		}
		if slices.Contains(d.Drain, id) {
			t.Fatalf("%s: %s both drained and replaced", name, id)
		}
	}
	if d.Reason == "" {
		t.Fatalf("%s: no reason", name)
	}
}

func TestInvariantsOnSeeds(t *testing.T) {
	// The fuzz seeds run as part of go test; this adds a longer
	// deterministic input.
	data := make([]byte, 0, 4096)
	var x uint64 = 88172645463325252
	for len(data) < cap(data) {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		data = binary.LittleEndian.AppendUint64(data, x)
	}
	steps, obs := observationsFrom(data)
	if len(obs) < 30 {
		t.Fatalf("only %d observations", len(obs))
	}
	cfg := testConfig()
	cfg.MaxScaleDownStep = 2
	for _, name := range Names() {
		p := mustNew(t, name, cfg)
		now := t0
		for i, o := range obs {
			now = now.Add(steps[i])
			checkInvariants(t, name, cfg, o, p.Decide(now, o))
		}
	}
}
