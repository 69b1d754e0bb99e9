package loadgen

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
)

// planBytes is the JSON Lines of the plan of cfg.
func planBytes(t *testing.T, cfg Config) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := trace.NewWriter(&buf, trace.JSONL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Plan(context.Background(), cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("an empty plan")
	}
	return buf.Bytes()
}

// TestSeedDeterminism: the same seed gives the same sequence (items,
// parameters, scheduled times), byte for byte; another seed another one.
func TestSeedDeterminism(t *testing.T) {
	for _, tc := range []struct {
		name     string
		preset   string
		arrivals Arrivals
		n        int
	}{
		{"course poisson", "course", Arrivals{Kind: Poisson, Rate: 50}, 30},
		{"course bursts", "course", Arrivals{Kind: Bursts, Bursts: 3, BurstGap: time.Second, BurstSpread: 300 * time.Millisecond}, 30},
		{"unseen diurnal", "unseen", Arrivals{Kind: Diurnal, Rate: 50, MinRate: 5, Period: time.Second}, 8}, // each image is encoded anew
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := planConfig(loadPreset(t, tc.preset), tc.n)
			cfg.Arrivals = tc.arrivals
			a := planBytes(t, cfg)
			// A fresh mix: nothing is carried from one run to the next.
			cfg.Mix = loadPreset(t, tc.preset)
			if b := planBytes(t, cfg); !bytes.Equal(a, b) {
				t.Errorf("seed %d gave two sequences:\n%s\n%s", cfg.Seed, a, b)
			}
			cfg.Mix, cfg.Seed = loadPreset(t, tc.preset), cfg.Seed+1
			if c := planBytes(t, cfg); bytes.Equal(a, c) {
				t.Errorf("seeds %d and %d gave the same sequence", cfg.Seed-1, cfg.Seed)
			}
		})
	}
}

// TestRunFollowsItsPlan: a run's trace carries, in its generated fields,
// exactly the plan of its seed.
func TestRunFollowsItsPlan(t *testing.T) {
	ts := fakeWorker(t, nil)
	cfg := runConfig(t, ts.URL)
	cfg.Mix = loadPreset(t, "course")
	cfg.Count, cfg.Seed = 25, 7
	cfg.Arrivals = Arrivals{Kind: Poisson, Rate: 500}
	plan := planBytes(t, cfg)

	var ran collect
	cfg.Trace = &ran
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := trace.NewWriter(&buf, trace.JSONL)
	for _, e := range ran {
		if !e.OK() {
			t.Errorf("request %d: %d %s", e.Seq, e.Status, e.Error)
		}
		w.Write(trace.Entry{Seq: e.Seq, At: e.At, Item: e.Item, Features: e.Features})
	}
	w.Close()
	if !bytes.Equal(buf.Bytes(), plan) {
		t.Errorf("the run's generated fields:\n%s\nthe plan:\n%s", buf.Bytes(), plan)
	}
}
