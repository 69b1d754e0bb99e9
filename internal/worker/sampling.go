package worker

import "time"

// sampling records the samples of a serving worker from one goroutine, so
// that they are recorded in time order: one every SampleInterval, and one
// whenever Serve asks (draining starts). Each sample is timed when it is
// taken, not when its tick fired: a tick waiting while another sample was
// taken would otherwise carry an earlier time than the sample before it.
type sampling struct {
	s     *Server
	asks  chan chan struct{}
	stopc chan struct{}
	done  chan struct{}
}

// startSampling records the first sample, then starts the sampling
// goroutine. Serve calls it before it accepts connections, so that the
// first sample of a worker precedes everything it serves.
func (s *Server) startSampling() *sampling {
	s.Sample(time.Now())
	p := &sampling{s: s, asks: make(chan chan struct{}), stopc: make(chan struct{}), done: make(chan struct{})}
	go p.loop(s.cfg.SampleInterval)
	return p
}

func (p *sampling) loop(every time.Duration) {
	defer close(p.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stopc:
			return
		case <-t.C:
			p.s.Sample(time.Now())
		case ack := <-p.asks:
			p.s.Sample(time.Now())
			close(ack)
		}
	}
}

// sampleNow records a sample after the ones taken so far and returns once
// it is recorded.
func (p *sampling) sampleNow() {
	ack := make(chan struct{})
	select {
	case p.asks <- ack:
		<-ack
	case <-p.done:
	}
}

// stop ends the sampling goroutine and waits for it: no sample of it is
// recorded after stop returns.
func (p *sampling) stop() {
	close(p.stopc)
	<-p.done
}
