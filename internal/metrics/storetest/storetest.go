package storetest

import (
	"reflect"
	"testing"

	"github.com/specialvfx/vfx/internal/metrics"
)

// Opener opens a new, empty store for one subtest. Run closes it.
type Opener func(t *testing.T) metrics.Store

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Helper()
	fresh := func(t *testing.T) metrics.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, fresh) })
	t.Run("AppendOnly", func(t *testing.T) { testAppendOnly(t, fresh) })
	t.Run("InvalidBatch", func(t *testing.T) { testInvalidBatch(t, fresh) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, fresh) })
	t.Run("Order", func(t *testing.T) { testOrder(t, fresh) })
	t.Run("Limit", func(t *testing.T) { testLimit(t, fresh) })
	t.Run("Empty", func(t *testing.T) { testEmpty(t, fresh) })
	t.Run("InvalidQuery", func(t *testing.T) { testInvalidQuery(t, fresh) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, fresh) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, fresh) })
	t.Run("Close", func(t *testing.T) { testClose(t, fresh) })
}

// AllFieldsSet reports the paths of the fields of v (a struct, walked
// recursively; time.Time counts as one field) that hold their zero value.
// The suite uses it to make sure its full records really set every field,
// so that a field added to a record type is round-tripped too.
func AllFieldsSet(v any) []string {
	var zero []string
	walk(reflect.ValueOf(v), reflect.TypeOf(v).Name(), &zero)
	return zero
}

func walk(v reflect.Value, path string, zero *[]string) {
	if v.Kind() == reflect.Struct && v.Type().PkgPath() != "time" {
		for i := range v.NumField() {
			walk(v.Field(i), path+"."+v.Type().Field(i).Name, zero)
		}
		return
	}
	if v.IsZero() {
		*zero = append(*zero, path)
	}
}
