package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/texttable"
)

// loadProgress shows a run's progress on stderr: a bar redrawn in place
// on a terminal, a plain line every so often otherwise.
type loadProgress struct {
	w     io.Writer
	tty   bool
	every time.Duration
	// total is what the run is bounded by, for the bar: a duration, a
	// count, or both (the larger fraction shows).
	duration time.Duration
	count    int
	drawn    bool
}

// ttyRefresh is how often the bar is redrawn on a terminal.
const ttyRefresh = 250 * time.Millisecond

// newLoadProgress returns nil when no progress is to be shown (not a
// terminal and every 0).
func newLoadProgress(w io.Writer, c loadgen.Config, every time.Duration) *loadProgress {
	p := &loadProgress{w: w, every: every, duration: c.Duration, count: c.Count}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		p.tty, p.every = true, ttyRefresh
	}
	if p.every <= 0 {
		return nil
	}
	if c.Clients == 0 && c.Arrivals.Finite() {
		if d := c.Arrivals.Duration(); p.duration == 0 || d < p.duration {
			p.duration = d
		}
	}
	return p
}

// report shows pr.
func (p *loadProgress) report(pr loadgen.Progress) {
	line := fmt.Sprintf("%s  sent %d  answered %d  errors %d  p50 %s  p99 %s", p.elapsed(pr), pr.Sent, pr.Answered, pr.Errors,
		texttable.Duration(pr.P50), texttable.Duration(pr.P99))
	if pr.Late > 0 {
		line += fmt.Sprintf("  late %d (max %s)", pr.Late, texttable.Duration(pr.MaxLag))
	}
	if !p.tty {
		fmt.Fprintln(p.w, "load: "+line)
		return
	}
	if frac, ok := p.fraction(pr); ok {
		const width = 20
		n := int(frac * width)
		line = fmt.Sprintf("[%s%s] %3.0f%%  %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac, line)
	}
	fmt.Fprint(p.w, "\r"+line+"\x1b[K")
	p.drawn = true
}

// elapsed is "12.0s" or "12.0s/30s".
func (p *loadProgress) elapsed(pr loadgen.Progress) string {
	s := fmt.Sprintf("%.1fs", pr.Elapsed.Seconds())
	if p.duration > 0 {
		s += "/" + p.duration.String()
	}
	return s
}

// fraction is how far the run is, by time or by count.
func (p *loadProgress) fraction(pr loadgen.Progress) (float64, bool) {
	f, ok := 0.0, false
	if p.duration > 0 {
		f, ok = pr.Elapsed.Seconds()/p.duration.Seconds(), true
	}
	if p.count > 0 {
		f, ok = max(f, float64(pr.Sent)/float64(p.count)), true
	}
	return min(f, 1), ok
}

// done clears the bar.
func (p *loadProgress) done() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
