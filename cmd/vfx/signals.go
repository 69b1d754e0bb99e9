package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopKey is the context key of the channel closed by a second stop
// signal.
type stopKey struct{}

// withStopSignals returns a context that the first SIGINT or SIGTERM
// cancels (stop gracefully) and that carries, for stopNow, a channel the
// second one closes (stop now). release stops listening for the signals.
func withStopSignals(parent context.Context) (ctx context.Context, release func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := twoStageStop(parent, sigs)
	return ctx, func() {
		signal.Stop(sigs)
		stop()
	}
}

// twoStageStop is withStopSignals over any channel of signals: the first
// one cancels ctx, the second closes ctx's stopNow channel.
func twoStageStop(parent context.Context, sigs <-chan os.Signal) (ctx context.Context, stop func()) {
	now := make(chan struct{})
	ctx, cancel := context.WithCancel(context.WithValue(parent, stopKey{}, (<-chan struct{})(now)))
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-sigs:
		case <-done:
			return
		}
		cancel()
		select {
		case <-sigs:
		case <-done:
			return
		}
		close(now)
	}()
	return ctx, func() {
		close(done)
		<-finished
		cancel()
	}
}

// stopNow returns the channel that a second stop signal closes (nil,
// never closed, for a context that did not come from withStopSignals).
func stopNow(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(stopKey{}).(<-chan struct{})
	return ch
}

// untilStopNow returns a context that ends with parent's deadline, or as
// soon as ctx's second stop signal comes.
func untilStopNow(ctx, parent context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(parent)
	if now := stopNow(ctx); now != nil {
		go func() {
			select {
			case <-now:
				cancel()
			case <-c.Done():
			}
		}()
	}
	return c, cancel
}
