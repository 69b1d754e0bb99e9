package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
)

// utc is what a store must return for a time it was given.
func utc(t time.Time) time.Time { return t.UTC() }

func wantRequests(recs ...metrics.RequestRecord) []metrics.RequestRecord {
	out := make([]metrics.RequestRecord, len(recs))
	for i, r := range recs {
		r.Time = utc(r.Time)
		out[i] = r
	}
	return out
}

func wantSamples(s ...metrics.WorkerSample) []metrics.WorkerSample {
	out := make([]metrics.WorkerSample, len(s))
	for i, v := range s {
		v.Time = utc(v.Time)
		out[i] = v
	}
	return out
}

func wantDecisions(d ...metrics.Decision) []metrics.Decision {
	out := make([]metrics.Decision, len(d))
	for i, v := range d {
		v.Time = utc(v.Time)
		out[i] = v
	}
	return out
}

// same fails the test unless got equals want exactly, naming the first
// difference.
func same[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d records, want %d\ngot:  %s\nwant: %s", what, len(got), len(want), brief(got), brief(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s: record %d differs\ngot:  %+v\nwant: %+v", what, i, got[i], want[i])
		}
	}
}

// brief names records by identity for failure messages.
func brief[T any](recs []T) string {
	var b strings.Builder
	for i, r := range recs {
		if i > 0 {
			b.WriteString(" ")
		}
		switch v := any(r).(type) {
		case metrics.RequestRecord:
			b.WriteString(v.Key)
		case metrics.WorkerSample:
			fmt.Fprintf(&b, "%s@%s", v.WorkerID, v.Time.Format(time.RFC3339Nano))
		case metrics.Decision:
			fmt.Fprintf(&b, "%s@%s", v.Policy, v.Time.Format(time.RFC3339Nano))
		}
	}
	return "[" + b.String() + "]"
}

func keys(recs []metrics.RequestRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func allRequests(t *testing.T, s metrics.Store) []metrics.RequestRecord {
	t.Helper()
	got, err := s.Requests(context.Background(), metrics.RequestQuery{Limit: metrics.MaxLimit})
	must(t, "Requests", err)
	return got
}
