package sqlite

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

// TestStoredWords: worker states and scaling actions are stored as their
// lifecycle words, the words files written before hold read back, and a
// word that is not one of them is a clear error.
func TestStoredWords(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, tempPath(t))
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

	// What earlier versions wrote, as plain text.
	for i, h := range []string{"booting", "ready", "draining", "unhealthy"} {
		if _, err := s.db.Exec(`INSERT INTO worker_samples (worker_id, time_ns, address, cpu_percent, memory_bytes, in_flight, health)
			VALUES (?, ?, '', 0, 0, 0, ?)`, "old-"+h, t0.Add(time.Duration(i)).UnixNano(), h); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range []string{"add", "remove", "keep", "replace"} {
		if _, err := s.db.Exec(`INSERT INTO decisions (time_ns, policy, action, from_n, to_n, worker_id, reason)
			VALUES (?, 'old', ?, 1, 1, '', '')`, t0.Add(time.Duration(i)).UnixNano(), a); err != nil {
			t.Fatal(err)
		}
	}
	samples, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
	if err != nil {
		t.Fatal(err)
	}
	gotStates := map[string]lifecycle.State{}
	for _, w := range samples {
		gotStates[w.WorkerID] = w.Health
	}
	for id, want := range map[string]lifecycle.State{"old-booting": lifecycle.Booting, "old-ready": lifecycle.Ready, "old-draining": lifecycle.Draining, "old-unhealthy": lifecycle.Unhealthy} {
		if gotStates[id] != want {
			t.Errorf("%s read back as %v, want %v", id, gotStates[id], want)
		}
	}
	decisions, err := s.Decisions(ctx, metrics.DecisionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var gotActions []lifecycle.Action
	for _, d := range decisions {
		gotActions = append(gotActions, d.Action)
	}
	// Newest first.
	if want := []lifecycle.Action{lifecycle.ActionReplace, lifecycle.ActionKeep, lifecycle.ActionRemove, lifecycle.ActionAdd}; !slices.Equal(gotActions, want) {
		t.Errorf("actions read back as %v, want %v", gotActions, want)
	}

	// What this version writes: the words.
	t1 := t0.Add(time.Hour)
	if err := s.AppendWorkerSamples(ctx, []metrics.WorkerSample{{Time: t1, WorkerID: "new", Health: lifecycle.Terminated}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendDecisions(ctx, []metrics.Decision{{Time: t1, Policy: "new", Action: lifecycle.ActionReplace}}); err != nil {
		t.Fatal(err)
	}
	var health, action string
	if err := s.db.QueryRow(`SELECT health FROM worker_samples WHERE worker_id = 'new'`).Scan(&health); err != nil || health != "terminated" {
		t.Errorf("stored health %q (%v), want terminated", health, err)
	}
	if err := s.db.QueryRow(`SELECT action FROM decisions WHERE policy = 'new'`).Scan(&action); err != nil || action != "replace" {
		t.Errorf("stored action %q (%v), want replace", action, err)
	}

	// A word that is not a state or an action.
	if _, err := s.db.Exec(`UPDATE worker_samples SET health = 'pending' WHERE worker_id = 'new'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE decisions SET action = 'delete' WHERE policy = 'new'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WorkerSamples(ctx, metrics.WorkerQuery{}); err == nil || !strings.Contains(err.Error(), `health: unknown worker state "pending"`) {
		t.Errorf("reading an unknown health: %v", err)
	}
	if _, err := s.Decisions(ctx, metrics.DecisionQuery{}); err == nil || !strings.Contains(err.Error(), `action: unknown scaling action "delete"`) {
		t.Errorf("reading an unknown action: %v", err)
	}
}
