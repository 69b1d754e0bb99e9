package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
)

// planned is one request of the sequence: drawn, built, not yet sent.
type planned struct {
	seq   int
	at    time.Duration // scheduled, from the start of the run
	item  *mixItem
	input *Input
}

// sequence draws the requests of a run in order. Items and their
// parameters come from one random stream and arrival times from another,
// both from the seed: the items do not change with the arrival process.
type sequence struct {
	mix      *Mix
	proc     process // nil in the closed loop
	arrRNG   *rand.Rand
	itemRNG  *rand.Rand
	seq      int
	count    int           // 0: no bound
	duration time.Duration // bound on scheduled times, 0: none (open loop)
}

// Stream constants of the two random streams.
const (
	arrivalStream = 0x6172726976616c // "arrival"
	itemStream    = 0x6974656d       // "item"
)

func newSequence(c Config) *sequence {
	s := &sequence{
		mix:     c.Mix,
		arrRNG:  rand.New(rand.NewPCG(c.Seed, arrivalStream)),
		itemRNG: rand.New(rand.NewPCG(c.Seed, itemStream)),
		count:   c.Count,
	}
	if c.Clients == 0 {
		s.proc = c.Arrivals.process()
		s.duration = c.Duration
	}
	return s
}

// draw returns the next request; for an item that draws a new input,
// build builds it. ok is false at the end of the sequence.
func (s *sequence) draw() (p planned, build func() (*Input, error), ok bool, err error) {
	if s.count > 0 && s.seq >= s.count {
		return planned{}, nil, false, nil
	}
	slot := -1
	if s.proc != nil {
		if p.at, slot, ok = s.proc.next(s.arrRNG); !ok || (s.duration > 0 && p.at >= s.duration) {
			return planned{}, nil, false, nil
		}
	}
	if slot >= 0 && len(s.mix.burst) > 0 {
		p.item = s.mix.items[s.mix.burst[slot%len(s.mix.burst)]]
	} else {
		p.item = s.mix.pick(s.itemRNG)
	}
	p.seq = s.seq
	s.seq++
	if p.item.gen == nil {
		p.input = p.item.input
		return p, nil, true, nil
	}
	build, err = p.item.gen.draw(s.itemRNG)
	if err != nil {
		return planned{}, nil, false, fmt.Errorf("item %s: %w", p.item.name, err)
	}
	return p, build, true, nil
}

// source hands out the sequence's requests, built, in order. A mix of
// repeated inputs is drawn as it is asked for; one that draws new inputs
// is drawn and built ahead, in parallel, by a pipeline that keeps the
// order.
type source struct {
	seq *sequence
	// The pipeline (nil futures: none).
	futures chan *future
	stop    chan struct{}
	wg      sync.WaitGroup
	done    bool
}

// future is a request being built.
type future struct {
	p     planned
	build func() (*Input, error)
	err   error
	ready chan struct{}
}

func newSource(s *sequence) *source {
	src := &source{seq: s}
	if !s.mix.generated() {
		return src
	}
	builders := max(2, runtime.GOMAXPROCS(0))
	src.futures = make(chan *future, 4*builders)
	src.stop = make(chan struct{})
	jobs := make(chan *future, 4*builders)
	src.wg.Add(1 + builders)
	go func() {
		defer src.wg.Done()
		defer close(jobs)
		defer close(src.futures)
		for {
			p, build, ok, err := s.draw()
			f := &future{p: p, build: build, err: err, ready: make(chan struct{})}
			if err != nil || !ok || build == nil {
				close(f.ready)
				if err == nil && !ok {
					return
				}
			}
			select {
			case src.futures <- f:
			case <-src.stop:
				return
			}
			if err != nil {
				return
			}
			if build != nil {
				select {
				case jobs <- f:
				case <-src.stop:
					return
				}
			}
		}
	}()
	for range builders {
		go func() {
			defer src.wg.Done()
			for f := range jobs {
				select {
				case <-src.stop: // the run is over: skip what is queued
					f.err = context.Canceled
				default:
					f.p.input, f.err = f.build()
				}
				close(f.ready)
			}
		}()
	}
	return src
}

// next returns the next request, built; ok is false at the end of the
// sequence or when ctx ends.
func (src *source) next(ctx context.Context) (planned, bool, error) {
	if src.done {
		return planned{}, false, nil
	}
	if src.futures == nil {
		p, _, ok, err := src.seq.draw()
		src.done = !ok || err != nil
		return p, ok && err == nil, err
	}
	var f *future
	var ok bool
	select {
	case f, ok = <-src.futures:
	case <-ctx.Done():
		return planned{}, false, nil
	}
	if !ok {
		src.done = true
		return planned{}, false, nil
	}
	select {
	case <-f.ready:
	case <-ctx.Done():
		return planned{}, false, nil
	}
	if f.err != nil {
		src.done = true
		return planned{}, false, f.err
	}
	return f.p, true, nil
}

// close stops the pipeline and waits for its goroutines.
func (src *source) close() {
	if src.stop == nil {
		return
	}
	close(src.stop)
	src.wg.Wait()
}
