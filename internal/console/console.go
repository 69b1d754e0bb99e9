package console

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// Options say how a Console shows its output. The zero value is a plain
// writer that prints no progress lines.
type Options struct {
	// Terminal says the writer is a terminal: live lines are drawn.
	Terminal bool
	// Width is the terminal's width in columns, asked before every draw
	// (it may change). nil or a result under 2 means 80.
	Width func() int
	// LiveAfter is how long a step runs before its spinner appears on a
	// terminal (0: at once).
	LiveAfter time.Duration
	// PlainAfter is how long a step runs, when the writer is not a
	// terminal, before a plain line says what it is doing; 0 means never.
	PlainAfter time.Duration
	// PlainEvery is how often a plain line repeats for a step that goes on
	// (default 30 s).
	PlainEvery time.Duration
	// Tick is how often a spinner is redrawn (default 100 ms).
	Tick time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Console writes permanent lines and one live line to a writer. It is safe
// for concurrent use.
type Console struct {
	o Options

	mu    sync.Mutex
	w     io.Writer
	live  string // the live line's text, "" for none
	drawn bool   // the live line is on the screen
}

// New returns a Console writing to w.
func New(w io.Writer, o Options) *Console {
	if o.PlainEvery <= 0 {
		o.PlainEvery = 30 * time.Second
	}
	if o.Tick <= 0 {
		o.Tick = 100 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Console{o: o, w: w}
}

// ForFile returns a Console writing to f, with Terminal and Width set from
// f: a terminal when f is one.
func ForFile(f *os.File, o Options) *Console {
	fd := int(f.Fd())
	o.Terminal = term.IsTerminal(fd)
	o.Width = func() int {
		w, _, err := term.GetSize(fd)
		if err != nil {
			return 0
		}
		return w
	}
	return New(f, o)
}

// Terminal reports whether the console draws live lines.
func (c *Console) Terminal() bool { return c.o.Terminal }

// Printf writes a permanent line (a newline is added when format lacks
// one), above the live line.
func (c *Console) Printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.above(c.w, []byte(s))
}

// SetLive sets the live line; "" removes it. It is only drawn on a
// terminal.
func (c *Console) SetLive(s string) {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = s
	if !c.o.Terminal {
		return
	}
	if s == "" {
		c.clearLocked()
		return
	}
	c.drawLocked()
}

// Above returns a writer that writes to w — the console's writer or
// another stream of the same terminal, such as standard error — with the
// live line cleared first and drawn again after. Each Write should hold
// whole lines (a log handler's records do).
func (c *Console) Above(w io.Writer) io.Writer { return aboveWriter{c: c, w: w} }

type aboveWriter struct {
	c *Console
	w io.Writer
}

func (a aboveWriter) Write(p []byte) (int, error) {
	a.c.mu.Lock()
	defer a.c.mu.Unlock()
	return a.c.above(a.w, p)
}

// above writes p to w with the live line out of the way. c.mu is held.
func (c *Console) above(w io.Writer, p []byte) (int, error) {
	c.clearLocked()
	n, err := w.Write(p)
	if c.live != "" && c.o.Terminal {
		c.drawLocked()
	}
	return n, err
}

// drawLocked draws the live line over the current one, cut to the width.
func (c *Console) drawLocked() {
	fmt.Fprintf(c.w, "\r%s\x1b[K", truncate(c.live, c.width()-1))
	c.drawn = true
}

func (c *Console) clearLocked() {
	if c.drawn {
		io.WriteString(c.w, "\r\x1b[K")
		c.drawn = false
	}
}

func (c *Console) width() int {
	if c.o.Width != nil {
		if w := c.o.Width(); w >= 2 {
			return w
		}
	}
	return 80
}

// truncate cuts s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:max(n, 0)])
	}
	return string([]rune(s)[:n-1]) + "…"
}
