package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

func testFilters(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("Requests", func(t *testing.T) {
		s := open(t)
		must(t, "AppendRequests", s.AppendRequests(ctx, requestSet()))
		longAgo := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
		farAhead := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
		cases := []struct {
			name string
			q    metrics.RequestQuery
			want []string
		}{
			{"all", metrics.RequestQuery{}, []string{"r6", "r5", "r4", "r3", "r2", "r1"}},
			{"workload raytracer", metrics.RequestQuery{Workload: workload.Raytracer}, []string{"r5", "r3", "r1"}},
			{"workload blur", metrics.RequestQuery{Workload: workload.Blur}, []string{"r6", "r2"}},
			{"workload enhance", metrics.RequestQuery{Workload: workload.Enhance}, []string{"r4"}},
			{"since is inclusive", metrics.RequestQuery{Since: at(3)}, []string{"r6", "r5", "r4", "r3"}},
			{"until is exclusive", metrics.RequestQuery{Until: at(3)}, []string{"r2", "r1"}},
			{"since and until", metrics.RequestQuery{Since: at(2), Until: at(5)}, []string{"r4", "r3", "r2"}},
			{"nanosecond window", metrics.RequestQuery{Since: at(4), Until: at(4).Add(1)}, []string{"r4"}},
			{"window just after a record", metrics.RequestQuery{Since: at(4).Add(1), Until: at(5)}, nil},
			{"since equals until", metrics.RequestQuery{Since: at(4), Until: at(4)}, nil},
			{"since in another zone", metrics.RequestQuery{Since: at(5).In(time.FixedZone("X", -7*3600))}, []string{"r6", "r5"}},
			{"since long ago", metrics.RequestQuery{Since: longAgo}, []string{"r6", "r5", "r4", "r3", "r2", "r1"}},
			{"until far ahead", metrics.RequestQuery{Until: farAhead}, []string{"r6", "r5", "r4", "r3", "r2", "r1"}},
			{"since far ahead", metrics.RequestQuery{Since: farAhead}, nil},
			{"until long ago", metrics.RequestQuery{Until: longAgo}, nil},
			{"input hash", metrics.RequestQuery{InputHash: "h1"}, []string{"r3", "r1"}},
			{"input hash shared by one workload", metrics.RequestQuery{InputHash: "h2", Workload: workload.Blur}, []string{"r6", "r2"}},
			{"input hash of another workload", metrics.RequestQuery{InputHash: "h1", Workload: workload.Blur}, nil},
			{"unknown input hash", metrics.RequestQuery{InputHash: "nope"}, nil},
			{"worker", metrics.RequestQuery{WorkerID: "w2"}, []string{"r6", "r4", "r3"}},
			{"worker and workload", metrics.RequestQuery{WorkerID: "w1", Workload: workload.Raytracer}, []string{"r5", "r1"}},
			{"worker and time", metrics.RequestQuery{WorkerID: "w1", Since: at(2), Until: at(6)}, []string{"r5", "r2"}},
			{"unknown worker", metrics.RequestQuery{WorkerID: "w9"}, nil},
			{"every filter", metrics.RequestQuery{Workload: workload.Raytracer, InputHash: "h1", WorkerID: "w2", Since: at(1), Until: at(6)}, []string{"r3"}},
			{"every filter with limit", metrics.RequestQuery{Workload: workload.Raytracer, InputHash: "h1", Limit: 1}, []string{"r3"}},
			{"one request's records", metrics.RequestQuery{RequestID: "q1"}, []string{"r4", "r3", "r1"}},
			{"a request with one record", metrics.RequestQuery{RequestID: "q2"}, []string{"r2"}},
			{"unknown request", metrics.RequestQuery{RequestID: "r1"}, nil},
			{"client request id", metrics.RequestQuery{ClientRequestID: "c1"}, []string{"r5", "r4", "r3", "r1"}},
			{"client request id is not a request id", metrics.RequestQuery{ClientRequestID: "q1"}, nil},
			{"attempts", metrics.RequestQuery{Roles: []metrics.Role{metrics.RoleAttempt}}, []string{"r3", "r1"}},
			{"finals", metrics.RequestQuery{Roles: []metrics.Role{metrics.RoleFinal}}, []string{"r6", "r4"}},
			{"what ran on a worker", metrics.RequestQuery{Roles: metrics.AttemptRoles}, []string{"r5", "r3", "r2", "r1"}},
			{"what the clients got", metrics.RequestQuery{Roles: metrics.OutcomeRoles}, []string{"r6", "r5", "r4", "r2"}},
			{"a request's final outcome", metrics.RequestQuery{RequestID: "q1", Roles: metrics.OutcomeRoles}, []string{"r4"}},
			{"a workload's attempts since", metrics.RequestQuery{Workload: workload.Raytracer, Roles: metrics.AttemptRoles, Since: at(3)}, []string{"r5", "r3"}},
		}
		all := requestSet()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.Requests(ctx, c.q)
				must(t, "Requests", err)
				if got == nil {
					t.Errorf("Requests returned a nil slice; want an empty one")
				}
				var want []metrics.RequestRecord
				for _, id := range c.want {
					want = append(want, all[slices.IndexFunc(all, func(r metrics.RequestRecord) bool { return r.Key == id })])
				}
				same(t, fmt.Sprintf("Requests(%+v)", c.q), got, wantRequests(want...))
			})
		}
	})
	t.Run("WorkerSamples", func(t *testing.T) {
		s := open(t)
		in := sampleSet() // at(1..6); odd seconds w1, even w2
		must(t, "AppendWorkerSamples", s.AppendWorkerSamples(ctx, in))
		cases := []struct {
			name string
			q    metrics.WorkerQuery
			want []int // seconds after t0
		}{
			{"all", metrics.WorkerQuery{}, []int{6, 5, 4, 3, 2, 1}},
			{"worker", metrics.WorkerQuery{WorkerID: "w1"}, []int{5, 3, 1}},
			{"since and until", metrics.WorkerQuery{Since: at(2), Until: at(4)}, []int{3, 2}},
			{"worker and time", metrics.WorkerQuery{WorkerID: "w2", Since: at(3)}, []int{6, 4}},
			{"unknown worker", metrics.WorkerQuery{WorkerID: "w9"}, nil},
			{"limit", metrics.WorkerQuery{Limit: 2}, []int{6, 5}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.WorkerSamples(ctx, c.q)
				must(t, "WorkerSamples", err)
				var want []metrics.WorkerSample
				for _, n := range c.want {
					want = append(want, in[n-1])
				}
				same(t, fmt.Sprintf("WorkerSamples(%+v)", c.q), got, wantSamples(want...))
			})
		}
	})
	t.Run("Decisions", func(t *testing.T) {
		s := open(t)
		in := decisionSet()
		must(t, "AppendDecisions", s.AppendDecisions(ctx, in))
		cases := []struct {
			name string
			q    metrics.DecisionQuery
			want []int
		}{
			{"all", metrics.DecisionQuery{}, []int{6, 5, 4, 3, 2, 1}},
			{"since", metrics.DecisionQuery{Since: at(5)}, []int{6, 5}},
			{"until", metrics.DecisionQuery{Until: at(2)}, []int{1}},
			{"since and until", metrics.DecisionQuery{Since: at(2), Until: at(4)}, []int{3, 2}},
			{"limit", metrics.DecisionQuery{Limit: 3}, []int{6, 5, 4}},
			{"nothing in range", metrics.DecisionQuery{Since: at(7)}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.Decisions(ctx, c.q)
				must(t, "Decisions", err)
				var want []metrics.Decision
				for _, n := range c.want {
					want = append(want, in[n-1])
				}
				same(t, fmt.Sprintf("Decisions(%+v)", c.q), got, wantDecisions(want...))
			})
		}
	})
}

func testOrder(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	// Appended out of order, in several batches, with ties in time.
	set := requestSet()
	tieA, tieB := set[0], set[0]
	tieA.Key, tieB.Key = "tie-a", "tie-b"
	tieA.Time, tieB.Time = at(4), at(4)
	must(t, "append 1", s.AppendRequests(ctx, []metrics.RequestRecord{set[3], set[0], tieB}))
	must(t, "append 2", s.AppendRequests(ctx, []metrics.RequestRecord{set[5], tieA, set[1]}))
	must(t, "append 3", s.AppendRequests(ctx, []metrics.RequestRecord{set[2], set[4]}))
	got := keys(allRequests(t, s))
	want := []string{"r6", "r5", "tie-b", "tie-a", "r4", "r3", "r2", "r1"}
	if !slices.Equal(got, want) {
		t.Fatalf("order: got %v, want newest first with ties by descending key %v", got, want)
	}
}

func testLimit(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("Explicit", func(t *testing.T) {
		s := open(t)
		must(t, "AppendRequests", s.AppendRequests(ctx, requestSet()))
		for _, c := range []struct {
			limit int
			want  []string
		}{
			{1, []string{"r6"}},
			{3, []string{"r6", "r5", "r4"}},
			{6, []string{"r6", "r5", "r4", "r3", "r2", "r1"}},
			{100, []string{"r6", "r5", "r4", "r3", "r2", "r1"}},
		} {
			got, err := s.Requests(ctx, metrics.RequestQuery{Limit: c.limit})
			must(t, "Requests", err)
			if !slices.Equal(keys(got), c.want) {
				t.Errorf("limit %d: got %v, want %v", c.limit, keys(got), c.want)
			}
		}
	})
	t.Run("Default", func(t *testing.T) {
		s := open(t)
		n := metrics.DefaultLimit + 1
		recs := make([]metrics.RequestRecord, n)
		for i := range recs {
			recs[i] = directRequest(fmt.Sprintf("d%05d", i), t0.Add(time.Duration(i)*time.Millisecond), workload.Blur)
		}
		for i := 0; i < n; i += 250 {
			must(t, "AppendRequests", s.AppendRequests(ctx, recs[i:min(i+250, n)]))
		}
		got, err := s.Requests(ctx, metrics.RequestQuery{})
		must(t, "Requests", err)
		if len(got) != metrics.DefaultLimit {
			t.Fatalf("limit 0 returned %d records, want DefaultLimit = %d", len(got), metrics.DefaultLimit)
		}
		if got[0].Key != recs[n-1].Key || got[len(got)-1].Key != recs[1].Key {
			t.Errorf("limit 0 returned %s..%s, want the newest %s..%s", got[0].Key, got[len(got)-1].Key, recs[n-1].Key, recs[1].Key)
		}
		got, err = s.Requests(ctx, metrics.RequestQuery{Limit: metrics.MaxLimit})
		must(t, "Requests", err)
		if len(got) != n {
			t.Errorf("limit MaxLimit returned %d records, want all %d", len(got), n)
		}
	})
}

func testEmpty(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	must(t, "AppendRequests(nil)", s.AppendRequests(ctx, nil))
	must(t, "AppendWorkerSamples(empty)", s.AppendWorkerSamples(ctx, []metrics.WorkerSample{}))
	must(t, "AppendDecisions(nil)", s.AppendDecisions(ctx, nil))
	r, err := s.Requests(ctx, metrics.RequestQuery{Workload: workload.Raytracer})
	must(t, "Requests", err)
	w, err := s.WorkerSamples(ctx, metrics.WorkerQuery{WorkerID: "w1"})
	must(t, "WorkerSamples", err)
	d, err := s.Decisions(ctx, metrics.DecisionQuery{})
	must(t, "Decisions", err)
	if len(r) != 0 || len(w) != 0 || len(d) != 0 {
		t.Errorf("an empty store returned %d requests, %d samples, %d decisions", len(r), len(w), len(d))
	}
}

func testInvalidQuery(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	cases := []struct {
		name string
		run  func() error
	}{
		{"unknown workload", func() error { _, err := s.Requests(ctx, metrics.RequestQuery{Workload: "teleport"}); return err }},
		{"unknown role", func() error {
			_, err := s.Requests(ctx, metrics.RequestQuery{Roles: []metrics.Role{metrics.RoleFinal, "retry"}})
			return err
		}},
		{"negative limit", func() error { _, err := s.Requests(ctx, metrics.RequestQuery{Limit: -1}); return err }},
		{"limit over MaxLimit", func() error { _, err := s.Requests(ctx, metrics.RequestQuery{Limit: metrics.MaxLimit + 1}); return err }},
		{"until before since", func() error { _, err := s.Requests(ctx, metrics.RequestQuery{Since: at(2), Until: at(1)}); return err }},
		{"samples: negative limit", func() error { _, err := s.WorkerSamples(ctx, metrics.WorkerQuery{Limit: -5}); return err }},
		{"samples: until before since", func() error {
			_, err := s.WorkerSamples(ctx, metrics.WorkerQuery{Since: at(2), Until: at(1)})
			return err
		}},
		{"decisions: limit over MaxLimit", func() error { _, err := s.Decisions(ctx, metrics.DecisionQuery{Limit: 1 << 30}); return err }},
		{"decisions: until before since", func() error {
			_, err := s.Decisions(ctx, metrics.DecisionQuery{Since: at(2), Until: at(1)})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(); !errors.Is(err, metrics.ErrInvalidQuery) {
				t.Errorf("error %v, want one wrapping ErrInvalidQuery", err)
			}
		})
	}
}

func testInvalidBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	good := requestSet()
	bad := good[2]
	bad.Key = ""
	err := s.AppendRequests(ctx, []metrics.RequestRecord{good[0], good[1], bad, good[3]})
	if !errors.Is(err, metrics.ErrInvalidRecord) {
		t.Fatalf("appending a batch with a record without key: error %v, want one wrapping ErrInvalidRecord", err)
	}
	if got := allRequests(t, s); len(got) != 0 {
		t.Errorf("a rejected batch left %d records: %v", len(got), keys(got))
	}
	badSample := fullSample()
	badSample.Health = lifecycle.Terminated + 1
	if err := s.AppendWorkerSamples(ctx, []metrics.WorkerSample{fullSample(), badSample}); !errors.Is(err, metrics.ErrInvalidRecord) {
		t.Errorf("appending a sample whose health is not a state: error %v, want ErrInvalidRecord", err)
	}
	badDecision := fullDecision()
	badDecision.Time = time.Time{}
	if err := s.AppendDecisions(ctx, []metrics.Decision{badDecision}); !errors.Is(err, metrics.ErrInvalidRecord) {
		t.Errorf("appending a decision without time: error %v, want ErrInvalidRecord", err)
	}
	w, err := s.WorkerSamples(ctx, metrics.WorkerQuery{})
	must(t, "WorkerSamples", err)
	d, err := s.Decisions(ctx, metrics.DecisionQuery{})
	must(t, "Decisions", err)
	if len(w) != 0 || len(d) != 0 {
		t.Errorf("rejected batches left %d samples and %d decisions", len(w), len(d))
	}
}
