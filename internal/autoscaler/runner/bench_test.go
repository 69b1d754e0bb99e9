package runner

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkStep measures one evaluation of the loop (snapshot,
// observation, backlog decision, bookkeeping) over pools of ready workers
// with a steady load, so that nothing is launched or drained.
func BenchmarkStep(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			cfg := testConfig()
			cfg.Max = n
			cfg.Min = n
			ws := make([]Worker, n)
			for i := range ws {
				ws[i] = readyW(fmt.Sprintf("w%d", i), 1, 500)
			}
			ev := newEvents()
			pool := newFakePool(ev, ws...)
			clock := newFakeClock()
			r, err := New(Options{Config: cfg, Loop: testLoop(), Pool: pool, Provider: &fakeProvider{ev: ev}, Clock: clock})
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				clock.Advance(time.Second)
				r.Step(ctx)
			}
			if got := len(ev.all()); got != 0 {
				b.Fatalf("the loop acted: %q", ev.all())
			}
		})
	}
}
