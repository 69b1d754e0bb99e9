package runner

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
)

// TestSetBounds: new bounds take effect at the next evaluation and show
// in the status; bounds the configuration refuses change nothing; a
// policy that cannot change its bounds says so.
func TestSetBounds(t *testing.T) {
	g := newRig(t, testConfig(), nil, readyW("w1", 0, 0))
	ctx := t.Context()
	if d := g.r.Step(ctx); d.Action != lifecycle.ActionKeep {
		t.Fatalf("first decision %+v, want keep", d)
	}
	if err := g.r.SetBounds(3, 5); err != nil {
		t.Fatal(err)
	}
	d := g.r.Step(ctx)
	g.settle(t)
	if d.Action != lifecycle.ActionAdd || d.To != 3 || !slices.Contains(g.ev.all(), "launch 2") {
		t.Fatalf("decision %+v, events %q: want 2 launched to reach the new min of 3", d, g.ev.all())
	}
	if c := g.r.Snapshot().Config; c.Min != 3 || c.Max != 5 {
		t.Errorf("status shows %d–%d, want 3–5", c.Min, c.Max)
	}
	for _, tc := range []struct {
		min, max int
		want     string
	}{
		{5, 2, "max: must be ≥ min (5), got 2"},
		{-1, 4, "min: must be ≥ 0"},
		{1, autoscaler.MaxWorkersLimit + 1, "max: must be ≤"},
	} {
		err := g.r.SetBounds(tc.min, tc.max)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetBounds(%d, %d) = %v, want an error saying %q", tc.min, tc.max, err, tc.want)
		}
	}
	if c := g.r.Snapshot().Config; c.Min != 3 || c.Max != 5 {
		t.Errorf("refused bounds changed the status to %d–%d", c.Min, c.Max)
	}

	fixed := newRig(t, testConfig(), &scripted{}, readyW("w1", 0, 0))
	if err := fixed.r.SetBounds(1, 2); !errors.Is(err, ErrFixedBounds) {
		t.Errorf("SetBounds on a policy that is not Bounded = %v, want ErrFixedBounds", err)
	}
}

// TestSetBoundsWhileRunning: bounds change safely while evaluations run
// and the status is read (run with -race).
func TestSetBoundsWhileRunning(t *testing.T) {
	g := newRig(t, testConfig(), nil, readyW("w1", 0, 0))
	ctx := t.Context()
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 50 {
			if err := g.r.SetBounds(1+i%2, 4); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() {
		for range 50 {
			g.r.Step(ctx)
			_ = g.r.Snapshot()
		}
	})
	wg.Wait()
	g.settle(t)
}
