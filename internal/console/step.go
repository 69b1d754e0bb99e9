package console

import (
	"fmt"
	"sync"
	"time"
)

// spinner is the sequence of frames of a running step.
var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Step is one thing a command is doing, started with Console.Start and
// ended with Done or Clear.
type Step struct {
	c     *Console
	what  string
	start time.Time

	stop     chan struct{}
	finished chan struct{}
	once     sync.Once

	mu    sync.Mutex
	shown bool // its spinner was drawn, or a plain line printed
}

// Start begins a step: what says what it is doing ("launching 1 worker").
// On a terminal, a spinner with what and the elapsed time appears once the
// step has run Options.LiveAfter; elsewhere a plain line "what…" is
// printed after Options.PlainAfter (if set) and every PlainEvery after
// that.
func (c *Console) Start(what string) *Step {
	s := &Step{c: c, what: what, start: c.o.Now(), stop: make(chan struct{}), finished: make(chan struct{})}
	go s.run()
	return s
}

func (s *Step) run() {
	defer close(s.finished)
	o := s.c.o
	t := time.NewTicker(o.Tick)
	defer t.Stop()
	nextPlain := o.PlainAfter
	for frame := 0; ; frame++ {
		elapsed := o.Now().Sub(s.start)
		switch {
		case o.Terminal && elapsed >= o.LiveAfter:
			s.setShown()
			s.c.SetLive(fmt.Sprintf("%s %s (%s)", spinner[frame%len(spinner)], s.what, Elapsed(elapsed)))
		case !o.Terminal && o.PlainAfter > 0 && elapsed >= nextPlain:
			if s.setShown() {
				s.c.Printf("%s…", s.what)
			} else {
				s.c.Printf("%s… (%s)", s.what, Elapsed(elapsed))
			}
			nextPlain = elapsed + o.PlainEvery
		}
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// setShown records that the step was shown, and reports whether it was
// the first time.
func (s *Step) setShown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := !s.shown
	s.shown = true
	return first
}

// end stops the step's goroutine and removes its spinner; it reports
// whether the step was shown. Only the first call counts.
func (s *Step) end() (shown, first bool) {
	s.once.Do(func() {
		first = true
		close(s.stop)
		<-s.finished
		if s.c.o.Terminal {
			s.c.SetLive("")
		}
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shown, first
}

// Done ends the step. If it was shown, a line says how it ended: "✓ what
// (1.2s)" or "✗ what (1.2s)" on a terminal, "what: done in 1.2s" or "what:
// failed after 1.2s" elsewhere. A step too short to be shown ends
// silently. err's message is the caller's to print. Done returns err.
func (s *Step) Done(err error) error {
	shown, first := s.end()
	if !shown || !first {
		return err
	}
	d := Elapsed(s.c.o.Now().Sub(s.start))
	switch {
	case s.c.o.Terminal && err == nil:
		s.c.Printf("✓ %s (%s)", s.what, d)
	case s.c.o.Terminal:
		s.c.Printf("✗ %s (%s)", s.what, d)
	case err == nil:
		s.c.Printf("%s: done in %s", s.what, d)
	default:
		s.c.Printf("%s: failed after %s", s.what, d)
	}
	return err
}

// Clear ends the step without a line: its spinner is removed, for a
// caller that prints its own result.
func (s *Step) Clear() { s.end() }

// Elapsed formats a duration for a person: 0.4s, 12.3s, 1m05s, 1h02m.
func Elapsed(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	default:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}
