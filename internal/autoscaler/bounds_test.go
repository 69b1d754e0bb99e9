package autoscaler

import (
	"fmt"
	"slices"
	"testing"
)

// TestSetBounds: after SetBounds, the next decision of every policy keeps
// the pool within the new bounds, the backlog policy included although
// its scale-down window still holds a larger target.
func TestSetBounds(t *testing.T) {
	four := Observation{Workers: ws(ready("a", 0, 0), ready("b", 0, 0), ready("c", 0, 0), ready("d", 0, 0))}
	one := Observation{Workers: ws(ready("a", 0, 0))}
	for _, tc := range []struct {
		policy     string
		obs        Observation
		min, max   int
		desired    int
		launch     int
		drainCount int
	}{
		{"backlog", four, 1, 2, 2, 0, 1},
		{"backlog", one, 3, 4, 3, 2, 0},
		{"cpu", four, 1, 2, 2, 0, 1},
		{"cpu", one, 3, 4, 3, 2, 0},
		{"fixed", four, 2, 2, 2, 0, 1},
		{"fixed", one, 3, 3, 3, 2, 0},
	} {
		t.Run(fmt.Sprintf("%s to %d-%d", tc.policy, tc.min, tc.max), func(t *testing.T) {
			cfg := testConfig()
			cfg.Min, cfg.Max = 1, 4
			if tc.policy == "fixed" {
				cfg.Min = len(tc.obs.Workers)
			}
			p := mustNew(t, tc.policy, cfg)
			before := p.Decide(at(0), tc.obs)
			if before.Changed() {
				t.Fatalf("before the change: %+v", before)
			}
			b, ok := p.(Bounded)
			if !ok {
				t.Fatalf("%T is not Bounded", p)
			}
			b.SetBounds(tc.min, tc.max)
			d := p.Decide(at(2), tc.obs)
			if d.Desired != tc.desired || d.Launch != tc.launch || len(d.Drain) != tc.drainCount {
				t.Fatalf("bounds %d–%d: desired %d launch %d drain %v, want desired %d launch %d and %d drained\nreason: %s",
					tc.min, tc.max, d.Desired, d.Launch, d.Drain, tc.desired, tc.launch, tc.drainCount, d.Reason)
			}
			for _, id := range d.Drain {
				if !slices.ContainsFunc(tc.obs.Workers, func(w Worker) bool { return w.ID == id }) {
					t.Errorf("drains unknown worker %s", id)
				}
			}
		})
	}
	for name, mk := range Policies() {
		if _, ok := mk(testConfig()).(Bounded); !ok {
			t.Errorf("policy %s is not Bounded", name)
		}
	}
}
