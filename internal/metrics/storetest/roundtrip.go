package storetest

import (
	"context"
	"testing"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
)

func testRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("FixturesSetEveryField", func(t *testing.T) {
		for _, v := range []any{fullRequest(), fullSample(), fullDecision()} {
			if zero := AllFieldsSet(v); len(zero) > 0 {
				t.Errorf("the suite's full %T leaves fields zero, so their round-trip is untested: %v", v, zero)
			}
		}
	})
	t.Run("Requests", func(t *testing.T) {
		s := open(t)
		in := fullRequest()
		must(t, "AppendRequests", s.AppendRequests(ctx, []metrics.RequestRecord{in}))
		got, err := s.Requests(ctx, metrics.RequestQuery{})
		must(t, "Requests", err)
		same(t, "Requests", got, wantRequests(in))
		if got[0].Time.Location() != wantRequests(in)[0].Time.Location() {
			t.Errorf("time location %v, want UTC", got[0].Time.Location())
		}
	})
	t.Run("ExtremeRequests", func(t *testing.T) {
		s := open(t)
		in := extremeRequests()
		must(t, "AppendRequests", s.AppendRequests(ctx, in))
		for _, r := range in {
			got, err := s.Requests(ctx, metrics.RequestQuery{
				Since: r.Time, Until: r.Time.Add(1), Workload: r.Features.Kind, WorkerID: r.WorkerID,
				InputHash: r.Features.InputHash,
			})
			must(t, "Requests "+r.ID, err)
			var match []metrics.RequestRecord
			for _, g := range got {
				if g.ID == r.ID {
					match = append(match, g)
				}
			}
			same(t, "record "+r.ID[:min(len(r.ID), 20)], match, wantRequests(r))
		}
	})
	t.Run("WorkerSamples", func(t *testing.T) {
		s := open(t)
		in := fullSample()
		must(t, "AppendWorkerSamples", s.AppendWorkerSamples(ctx, []metrics.WorkerSample{in}))
		got, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
		must(t, "WorkerSamples", err)
		same(t, "WorkerSamples", got, wantSamples(in))
	})
	t.Run("ExtremeWorkerSamples", func(t *testing.T) {
		s := open(t)
		in := []metrics.WorkerSample{
			{Time: metrics.MinTime, WorkerID: "a", Health: lifecycle.Booting},
			{Time: metrics.MaxTime, WorkerID: "b", MemoryBytes: 1<<63 - 1, CPUPercent: 1e-9,
				InFlight: 1 << 30, Health: lifecycle.Unhealthy, Address: "[::1]:65535"},
		}
		must(t, "AppendWorkerSamples", s.AppendWorkerSamples(ctx, in))
		got, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
		must(t, "WorkerSamples", err)
		same(t, "WorkerSamples", got, wantSamples(in[1], in[0]))
	})
	t.Run("Decisions", func(t *testing.T) {
		s := open(t)
		in := fullDecision()
		must(t, "AppendDecisions", s.AppendDecisions(ctx, []metrics.Decision{in}))
		got, err := s.Decisions(ctx, metrics.DecisionQuery{})
		must(t, "Decisions", err)
		same(t, "Decisions", got, wantDecisions(in))
	})
}

func testReplace(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("RequestByID", func(t *testing.T) {
		s := open(t)
		first := fullRequest()
		second := first
		second.Units, second.Outcome, second.Status, second.Error = 42, metrics.OutcomeOK, 200, ""
		second.Time = at(10)
		must(t, "append first", s.AppendRequests(ctx, []metrics.RequestRecord{first}))
		must(t, "append again", s.AppendRequests(ctx, []metrics.RequestRecord{first}))
		same(t, "after appending the same record twice", allRequests(t, s), wantRequests(first))
		must(t, "append replacement", s.AppendRequests(ctx, []metrics.RequestRecord{second}))
		same(t, "after appending a new record with the same ID", allRequests(t, s), wantRequests(second))
	})
	t.Run("RequestWithinBatch", func(t *testing.T) {
		s := open(t)
		a := fullRequest()
		b := a
		b.Units = 7
		must(t, "AppendRequests", s.AppendRequests(ctx, []metrics.RequestRecord{a, b}))
		same(t, "a batch holding one ID twice", allRequests(t, s), wantRequests(b))
	})
	t.Run("WorkerSampleByWorkerAndTime", func(t *testing.T) {
		s := open(t)
		a := fullSample()
		b := a
		b.CPUPercent, b.InFlight = 3, 0
		other := a
		other.WorkerID = "worker-8"
		must(t, "append", s.AppendWorkerSamples(ctx, []metrics.WorkerSample{a, other}))
		must(t, "append replacement", s.AppendWorkerSamples(ctx, []metrics.WorkerSample{b}))
		got, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
		must(t, "WorkerSamples", err)
		same(t, "WorkerSamples", got, wantSamples(other, b))
	})
	t.Run("DecisionByTimeAndPolicy", func(t *testing.T) {
		s := open(t)
		a := fullDecision()
		b := a
		b.Action, b.To, b.Reason = lifecycle.ActionKeep, 4, "changed"
		other := a
		other.Policy = "cpu"
		must(t, "append", s.AppendDecisions(ctx, []metrics.Decision{a, other}))
		must(t, "append replacement", s.AppendDecisions(ctx, []metrics.Decision{b}))
		got, err := s.Decisions(ctx, metrics.DecisionQuery{})
		must(t, "Decisions", err)
		same(t, "Decisions", got, wantDecisions(b, other))
	})
}
