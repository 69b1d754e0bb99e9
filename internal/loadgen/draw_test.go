package loadgen

import (
	"context"
	"errors"
	"testing"

	"github.com/specialvfx/vfx/internal/trace"
)

// entries collects a plan's entries.
type entries []trace.Entry

func (e *entries) Write(x trace.Entry) error { *e = append(*e, x); return nil }

// TestDrawFollowsThePlan: Draw hands out, in order, the requests whose
// features Plan lists for the same seed, and stops at fn's error.
func TestDrawFollowsThePlan(t *testing.T) {
	const n = 12
	var plan entries
	if _, err := Plan(context.Background(), planConfig(loadPreset(t, "unseen"), n), &plan); err != nil {
		t.Fatal(err)
	}
	var got []*Input
	cnt, err := Draw(context.Background(), planConfig(loadPreset(t, "unseen"), n), func(seq int, in *Input) error {
		if seq != len(got) {
			t.Errorf("request %d came as number %d", seq, len(got))
		}
		got = append(got, in)
		return nil
	})
	if err != nil || cnt != n || len(got) != n {
		t.Fatalf("Draw: %d requests, %v; want %d", cnt, err, n)
	}
	for i, in := range got {
		if in.Features != plan[i].Features || len(in.Body) == 0 {
			t.Errorf("request %d: features %+v, plan %+v", i, in.Features, plan[i].Features)
		}
	}
	stop := errors.New("stop")
	cnt, err = Draw(context.Background(), planConfig(loadPreset(t, "unseen"), n), func(seq int, _ *Input) error {
		if seq == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || cnt != 3 {
		t.Errorf("Draw stopped at %d with %v, want 3 and the callback's error", cnt, err)
	}
}
