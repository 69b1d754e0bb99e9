package storetest

import (
	"context"
	"slices"
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
				InputHash: r.Features.InputHash, RequestID: r.RequestID, ClientRequestID: r.ClientRequestID,
				Roles: []metrics.Role{r.Role},
			})
			must(t, "Requests "+r.Key, err)
			var match []metrics.RequestRecord
			for _, g := range got {
				if g.Key == r.Key {
					match = append(match, g)
				}
			}
			same(t, "record "+r.Key[:min(len(r.Key), 20)], match, wantRequests(r))
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

func testAppendOnly(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("RequestByKey", func(t *testing.T) {
		s := open(t)
		first := fullRequest()
		must(t, "append first", s.AppendRequests(ctx, []metrics.RequestRecord{first}))
		must(t, "append again", s.AppendRequests(ctx, []metrics.RequestRecord{first}))
		same(t, "after appending the same record twice", allRequests(t, s), wantRequests(first))
		// Another record under the same key changes nothing.
		forged := first
		forged.Units, forged.Outcome, forged.Status, forged.Error = 42, metrics.OutcomeClientError, 400, "forged"
		forged.Time, forged.WorkerID = at(10), "worker-9"
		must(t, "append another record under the same key", s.AppendRequests(ctx, []metrics.RequestRecord{forged}))
		same(t, "after appending another record under a stored key", allRequests(t, s), wantRequests(first))
		// Records of the same request, or with the same client id, under
		// keys of their own, are all kept.
		again := forged
		again.Key = "key-full-0002"
		must(t, "append a record of the same request under a new key", s.AppendRequests(ctx, []metrics.RequestRecord{again}))
		same(t, "after appending a second record of the request", allRequests(t, s), wantRequests(again, first))
		got, err := s.Requests(ctx, metrics.RequestQuery{ClientRequestID: first.ClientRequestID})
		must(t, "Requests by client request id", err)
		same(t, "records with the client's id", got, wantRequests(again, first))
	})
	t.Run("RequestWithinBatch", func(t *testing.T) {
		s := open(t)
		a := fullRequest()
		b := a
		b.Units = 7
		must(t, "AppendRequests", s.AppendRequests(ctx, []metrics.RequestRecord{a, b}))
		same(t, "a batch holding one key twice", allRequests(t, s), wantRequests(a))
	})
	t.Run("ResentBatch", func(t *testing.T) {
		// A batch written again after an ambiguous failure (a timeout after
		// the store committed) creates no duplicates.
		s := open(t)
		reqs, samples, decisions := requestSet(), sampleSet(), decisionSet()
		for range 2 {
			must(t, "AppendRequests", s.AppendRequests(ctx, reqs))
			must(t, "AppendWorkerSamples", s.AppendWorkerSamples(ctx, samples))
			must(t, "AppendDecisions", s.AppendDecisions(ctx, decisions))
		}
		must(t, "AppendRequests (a part again)", s.AppendRequests(ctx, reqs[2:4]))
		slices.Reverse(reqs)
		same(t, "requests after every batch was written twice", allRequests(t, s), wantRequests(reqs...))
		gotSamples, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
		must(t, "WorkerSamples", err)
		slices.Reverse(samples)
		same(t, "samples after every batch was written twice", gotSamples, wantSamples(samples...))
		gotDecisions, err := s.Decisions(ctx, metrics.DecisionQuery{})
		must(t, "Decisions", err)
		slices.Reverse(decisions)
		same(t, "decisions after every batch was written twice", gotDecisions, wantDecisions(decisions...))
	})
	t.Run("WorkerSampleByWorkerAndTime", func(t *testing.T) {
		s := open(t)
		a := fullSample()
		b := a
		b.CPUPercent, b.InFlight = 3, 0
		other := a
		other.WorkerID = "worker-8"
		must(t, "append", s.AppendWorkerSamples(ctx, []metrics.WorkerSample{a, other}))
		must(t, "append another sample of the same worker and time", s.AppendWorkerSamples(ctx, []metrics.WorkerSample{b}))
		got, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
		must(t, "WorkerSamples", err)
		same(t, "WorkerSamples", got, wantSamples(other, a))
	})
	t.Run("DecisionByTimeAndPolicy", func(t *testing.T) {
		s := open(t)
		a := fullDecision()
		b := a
		b.Action, b.To, b.Reason = lifecycle.ActionKeep, 4, "changed"
		other := a
		other.Policy = "cpu"
		must(t, "append", s.AppendDecisions(ctx, []metrics.Decision{a, other}))
		must(t, "append another decision of the same time and policy", s.AppendDecisions(ctx, []metrics.Decision{b}))
		got, err := s.Decisions(ctx, metrics.DecisionQuery{})
		must(t, "Decisions", err)
		same(t, "Decisions", got, wantDecisions(a, other))
	})
}
