package provider

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by the methods of a provider that has been closed.
var ErrClosed = errors.New("provider is closed")

// FactoryOf is the Factory of a provider configured by a Config of its own:
// parse maps the generic Options onto that Config and build makes the
// provider from it.
func FactoryOf[C any, P Provider](parse func(Options) (C, error), build func(context.Context, C) (P, error)) Factory {
	return func(ctx context.Context, opts Options) (Provider, error) {
		cfg, err := parse(opts)
		if err != nil {
			return nil, err
		}
		p, err := build(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// LaunchEach runs launch(0) … launch(n-1) in parallel and returns the
// instances that started, in order, together with the errors of those that
// did not.
func LaunchEach(n int, launch func(i int) (Instance, error)) ([]Instance, error) {
	insts := make([]Instance, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { insts[i], errs[i] = launch(i) })
	}
	wg.Wait()
	var out []Instance
	for i := range n {
		if errs[i] == nil {
			out = append(out, insts[i])
		}
	}
	return out, errors.Join(errs...)
}
