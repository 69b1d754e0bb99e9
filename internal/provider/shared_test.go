package provider

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLaunchEach(t *testing.T) {
	// Every launch waits until all have begun: run one after another,
	// they would never finish.
	const n = 5
	var begun sync.WaitGroup
	begun.Add(n)
	all := make(chan struct{})
	go func() { begun.Wait(); close(all) }()
	insts, err := LaunchEach(n, func(i int) (Instance, error) {
		begun.Done()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			return Instance{}, fmt.Errorf("launch %d: the others did not begin: launches do not run in parallel", i)
		}
		if i%2 == 1 {
			return Instance{}, fmt.Errorf("worker %d failed", i)
		}
		return Instance{ID: fmt.Sprint("w", i)}, nil
	})
	var ids []string
	for _, in := range insts {
		ids = append(ids, in.ID)
	}
	if strings.Join(ids, ",") != "w0,w2,w4" {
		t.Errorf("instances %v; want w0, w2, w4 in order", ids)
	}
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !strings.Contains(err.Error(), "worker 1 failed") || !strings.Contains(err.Error(), "worker 3 failed") {
		t.Errorf("error %v; want the two failures", err)
	}
	if insts, err := LaunchEach(2, func(i int) (Instance, error) { return Instance{ID: fmt.Sprint(i)}, nil }); err != nil || len(insts) != 2 {
		t.Errorf("all started: %v, %v", insts, err)
	}
}

func TestLaunches(t *testing.T) {
	var l Launches
	release, err := l.Reserve(1, 2, 4) // 1 live + 2 starting
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reserve(1, 2, 4); err == nil || err.Error() != "launch 2 workers: 3 running or starting, limit 4" {
		t.Errorf("Reserve beyond the limit: %v", err)
	}
	second, err := l.Reserve(1, 1, 4)
	if err != nil {
		t.Fatalf("Reserve up to the limit: %v", err)
	}
	release()
	release() // only once
	if _, err := l.Reserve(1, 2, 4); err != nil {
		t.Errorf("Reserve after a release: %v", err)
	}
	second()
	if _, err := l.Reserve(0, 5, 4); err == nil {
		t.Error("Reserve of more than the limit at once: no error")
	}
}
