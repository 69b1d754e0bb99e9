package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeProvider is a Provider that does nothing.
type fakeProvider struct{ cfg string }

func (*fakeProvider) Launch(context.Context, int) ([]Instance, error) { return nil, nil }
func (*fakeProvider) Terminate(context.Context, string) error         { return nil }
func (*fakeProvider) List(context.Context) ([]Instance, error)        { return nil, nil }

func TestFactoryOf(t *testing.T) {
	parse := func(o Options) (string, error) {
		if o.StateDir == "" {
			return "", errors.New("state dir: required")
		}
		return o.StateDir, nil
	}
	build := func(_ context.Context, cfg string) (*fakeProvider, error) {
		if cfg == "bad" {
			return nil, errors.New("cannot build")
		}
		return &fakeProvider{cfg: cfg}, nil
	}
	f := FactoryOf(parse, build)
	tests := []struct {
		name   string
		opts   Options
		want   string
		errHas string
	}{
		{name: "built from the parsed config", opts: Options{StateDir: "/s"}, want: "/s"},
		{name: "parse error", opts: Options{}, errHas: "state dir: required"},
		{name: "build error", opts: Options{StateDir: "bad"}, errHas: "cannot build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f(context.Background(), tt.opts)
			if tt.errHas != "" {
				// A failed build must give a nil interface, not one holding
				// a nil *fakeProvider.
				if err == nil || !strings.Contains(err.Error(), tt.errHas) || p != nil {
					t.Fatalf("got %#v, %v; want nil and an error with %q", p, err, tt.errHas)
				}
				return
			}
			fp, ok := p.(*fakeProvider)
			if err != nil || !ok || fp.cfg != tt.want {
				t.Fatalf("got %#v, %v; want a provider of %q", p, err, tt.want)
			}
		})
	}
}

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
