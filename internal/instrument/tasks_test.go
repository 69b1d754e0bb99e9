package instrument

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTasksRunsEveryTaskOnce(t *testing.T) {
	for _, tc := range []struct {
		name       string
		workers, n int
	}{
		{"one worker", 1, 100},
		{"more workers than tasks", 8, 3},
		{"default workers", 0, 1000},
		{"no tasks", 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := make([]atomic.Int32, tc.n)
			_, err := Tasks(context.Background(), tc.workers, tc.n, func(_, task int) { seen[task].Add(1) })
			if err != nil {
				t.Fatal(err)
			}
			for i := range seen {
				if got := seen[i].Load(); got != 1 {
					t.Fatalf("task %d ran %d times", i, got)
				}
			}
		})
	}
}

func TestTasksWorkerIndexInRange(t *testing.T) {
	const workers = 3
	var bad atomic.Int32
	if _, err := Tasks(context.Background(), workers, 200, func(w, _ int) {
		if w < 0 || w >= workers {
			bad.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if bad.Load() != 0 {
		t.Fatalf("%d calls with a worker index outside [0,%d)", bad.Load(), workers)
	}
}

func TestTasksMeasuresThreadCPU(t *testing.T) {
	cpu, err := Tasks(context.Background(), 2, 4, func(_, _ int) { spin(20 * time.Millisecond) })
	if err != nil {
		t.Fatal(err)
	}
	// Four tasks each burn at least 20ms of CPU.
	if cpu < 60*time.Millisecond {
		t.Fatalf("cpu = %v, want at least 60ms for 4×20ms of spinning", cpu)
	}
}

func TestTasksStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	_, err := Tasks(ctx, 2, 1_000_000, func(_, task int) {
		if ran.Add(1) == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := ran.Load(); n > 1000 {
		t.Fatalf("%d tasks ran after cancellation", n)
	}
}

func TestTasksTurnsPanicIntoError(t *testing.T) {
	_, err := Tasks(context.Background(), 2, 100, func(_, task int) {
		if task == 7 {
			panic("boom")
		}
	})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want the panic as an error", err)
	}
}

func TestMeasure(t *testing.T) {
	d := Measure(func() { spin(15 * time.Millisecond) })
	if d < 10*time.Millisecond {
		t.Fatalf("Measure = %v, want ≥ 10ms for 15ms of spinning", d)
	}
	// The sleep is the measured work: a goroutine asleep uses no CPU,
	// however loaded the machine.
	idle := Measure(func() { time.Sleep(30 * time.Millisecond) })
	if idle > 20*time.Millisecond {
		t.Fatalf("Measure of sleep = %v, want little CPU", idle)
	}
}

// spin burns CPU on the calling thread for about d of its own CPU time.
func spin(d time.Duration) {
	start := ThreadCPUTime()
	x := 0
	for ThreadCPUTime()-start < d {
		for i := 0; i < 1000; i++ {
			x += i
		}
	}
	_ = x
}
