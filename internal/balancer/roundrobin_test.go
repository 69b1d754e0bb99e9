package balancer

import (
	"sync"
	"testing"
)

func TestRoundRobinTurns(t *testing.T) {
	tests := []struct {
		name    string
		workers []WorkerState
		want    []int
	}{
		{"in turn", []WorkerState{ready("a", 0, 0, 1), ready("b", 0, 0, 1), ready("c", 0, 0, 1)}, []int{0, 1, 2, 0, 1}},
		{"skips non-ready without repeating", []WorkerState{ready("a", 0, 0, 1), notReady(ready("b", 0, 0, 1)), ready("c", 0, 0, 1), ready("d", 0, 0, 1)},
			[]int{0, 2, 3, 0, 2, 3}},
		{"skips full", []WorkerState{full(ready("a", 1, 0, 1)), ready("b", 0, 0, 1), ready("c", 0, 0, 1)}, []int{1, 2, 1, 2}},
		{"single eligible", []WorkerState{notReady(ready("a", 0, 0, 1)), ready("b", 0, 0, 1)}, []int{1, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &RoundRobin{}
			for k, want := range tc.want {
				got, err := p.Pick(Request{}, tc.workers, nil)
				if err != nil || got != want {
					t.Fatalf("pick %d = %d, %v; want %d", k, got, err, want)
				}
			}
		})
	}
}

func TestRoundRobinPoolShrinks(t *testing.T) {
	p := &RoundRobin{}
	five := []WorkerState{ready("a", 0, 0, 1), ready("b", 0, 0, 1), ready("c", 0, 0, 1), ready("d", 0, 0, 1), ready("e", 0, 0, 1)}
	for range 4 {
		if _, err := p.Pick(Request{}, five, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The cursor is at 4; with two workers the turn continues within range.
	got, err := p.Pick(Request{}, five[:2], nil)
	if err != nil || got != 0 {
		t.Errorf("pick after shrink = %d, %v; want 0", got, err)
	}
}

func TestRoundRobinConcurrentIsFair(t *testing.T) {
	p := &RoundRobin{}
	workers := []WorkerState{ready("a", 0, 0, 1), ready("b", 0, 0, 1), ready("c", 0, 0, 1), ready("d", 0, 0, 1)}
	const goroutines, picks = 8, 1000
	counts := make([][4]int, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range picks {
				i, err := p.Pick(Request{}, workers, nil)
				if err != nil {
					t.Error(err)
					return
				}
				counts[g][i]++
			}
		})
	}
	wg.Wait()
	var total [4]int
	for _, c := range counts {
		for i, n := range c {
			total[i] += n
		}
	}
	for i, n := range total {
		if n != goroutines*picks/4 {
			t.Errorf("worker %d picked %d times, want exactly %d (%v)", i, n, goroutines*picks/4, total)
		}
	}
}
