package costcheck

import (
	"context"
	"testing"

	"github.com/specialvfx/vfx/internal/estimator"
	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/probe"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

func unseen(t *testing.T) *loadgen.Mix {
	t.Helper()
	p, err := loadgen.FindPreset("unseen")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.Load(testutil.SeedPath(t, "."))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestUnseenAccuracy is the accuracy the load balancer's predictions must
// hold on inputs it has not seen (the unseen preset: seed scenes at random
// sizes, windows and aa, seed images scaled, cropped and re-encoded, none
// repeated, so the exact memory cannot help): a MAPE of at most 10 % per
// workload over requests 101-300, scored against the units the real
// workloads count. Ray traces are probed as the load balancer probes them
// (from 29 % to about 3 % without probes); enhance requests are probed
// with their image decoded (DecodeImages), which the load balancer does
// not do by default (about 30 % without).
func TestUnseenAccuracy(t *testing.T) {
	cfg := Config{Mix: unseen(t), Seed: 1, Count: 300, From: 100, Probe: &probe.Options{DecodeImages: true}}
	if raceEnabled {
		// The race detector makes the workloads ten times slower: a
		// short run, for its races, scored loosely.
		cfg.Count, cfg.From = 16, 4
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	bound := 0.10
	if raceEnabled {
		bound = 0.5
	}
	for _, k := range workload.Kinds {
		sc := res.Kinds[k]
		t.Logf("%s: MAPE %.1f %% over %d requests (p90 %.1f %%), by source %v", k, 100*sc.MAPE, sc.N, 100*sc.P90, res.Sources[k])
		if (sc.N == 0 && !raceEnabled) || sc.MAPE > bound {
			t.Errorf("%s: MAPE %.1f %% over %d requests, want at most %.0f %%", k, 100*sc.MAPE, sc.N, 100*bound)
		}
		if _, ok := res.Sources[k][estimator.SourceMemory]; ok {
			t.Errorf("%s: the exact memory answered an unseen input", k)
		}
	}
	if _, ok := res.Sources[workload.Raytracer][estimator.SourceProbe]; !ok {
		t.Error("no ray trace was predicted from its probe")
	}
}

func TestRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no mix", Config{Count: 10}},
		{"no count", Config{Mix: unseen(t)}},
		{"scored beyond the count", Config{Mix: unseen(t), Count: 10, From: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tc.cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}
