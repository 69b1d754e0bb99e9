package autoscaler

import (
	"fmt"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// BenchmarkDecide measures one backlog evaluation over pools of 10 and
// 1000 workers with learned speeds and work in flight.
func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("backlog/workers=%d", n), func(b *testing.B) {
			cfg := Default()
			cfg.Max = 2 * n
			p, err := New("backlog", cfg)
			if err != nil {
				b.Fatal(err)
			}
			obs := Observation{QueuedUnits: 5e8, QueueLen: 20}
			for i := range n {
				obs.Workers = append(obs.Workers, Worker{
					ID: fmt.Sprintf("w%04d", i), State: lifecycle.Ready, LaunchedAt: t0.Add(-time.Duration(i) * time.Second),
					InFlight: i % 5, PredictedLeft: float64(i%7) * 1e7, Speed: 4e7 + float64(i%11)*1e6, CPUPercent: 50,
				})
			}
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(cfg.Interval)
				obs.ArrivedUnits = float64(i%13) * 1e7 * float64(n)
				_ = p.Decide(now, obs)
			}
		})
	}
}
