package console

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// screenBuffer collects a console's output and renders it as a terminal
// of its width shows it.
type screenBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	width int
}

func (s *screenBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screenBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *screenBuffer) screen() []string { return testutil.Screen([]byte(s.String()), s.width) }

func terminal(width int) (*screenBuffer, Options) {
	sb := &screenBuffer{width: width}
	return sb, Options{Terminal: true, Width: func() int { return width }, Tick: time.Millisecond}
}

func TestPrintfStaysAboveTheLiveLine(t *testing.T) {
	sb, o := terminal(40)
	c := New(sb, o)
	c.SetLive("status 1")
	c.Printf("first line")
	c.SetLive("status 2")
	c.Printf("second %s\n", "line")
	want := []string{"first line", "second line", "status 2"}
	if got := sb.screen(); !slices.Equal(got, want) {
		t.Fatalf("screen %q, want %q (output %q)", got, want, sb.String())
	}
	c.SetLive("")
	if got := sb.screen(); !slices.Equal(got, want[:2]) {
		t.Fatalf("after the live line is removed: screen %q, want %q", got, want[:2])
	}
}

func TestLiveLineFitsTheWidth(t *testing.T) {
	sb, o := terminal(20)
	c := New(sb, o)
	for i := range 5 {
		c.SetLive(fmt.Sprintf("%d %s", i, strings.Repeat("long status ", 5)))
	}
	got := sb.screen()
	if len(got) != 1 {
		t.Fatalf("redrawn live lines left %d rows: %q", len(got), got)
	}
	if n := len([]rune(got[0])); n != 19 || !strings.HasPrefix(got[0], "4 long") || !strings.HasSuffix(got[0], "…") {
		t.Fatalf("live line %q (%d columns), want the last one cut to 19 columns with …", got[0], n)
	}
}

func TestNotATerminalHasNoLiveLine(t *testing.T) {
	var b bytes.Buffer
	c := New(&b, Options{})
	c.SetLive("status")
	c.Printf("a line")
	c.SetLive("")
	if b.String() != "a line\n" {
		t.Fatalf("output %q, want only the permanent line", b.String())
	}
}

func TestAboveWritesToAnotherStream(t *testing.T) {
	sb, o := terminal(40)
	c := New(sb, o)
	c.SetLive("status")
	logs := c.Above(sb) // standard error on the same terminal
	fmt.Fprintf(logs, "level=WARN msg=one\n")
	fmt.Fprintf(logs, "level=WARN msg=two\n")
	want := []string{"level=WARN msg=one", "level=WARN msg=two", "status"}
	if got := sb.screen(); !slices.Equal(got, want) {
		t.Fatalf("screen %q, want %q", got, want)
	}
}

// startSeen starts a step and waits until its spinner, seen, was drawn.
func startSeen(t *testing.T, c *Console, sb *screenBuffer, what, seen string) *Step {
	t.Helper()
	s := c.Start(what)
	testutil.WaitFor(t, 10*time.Second, time.Millisecond, "the spinner", func() bool {
		return strings.Contains(sb.String(), seen)
	})
	return s
}

func TestStepOnTerminal(t *testing.T) {
	sb, o := terminal(60)
	c := New(sb, o)
	c.Printf("before")
	s := startSeen(t, c, sb, "launching 2 workers", "⠋ launching 2 workers (")
	if err := s.Done(nil); err != nil {
		t.Fatal(err)
	}
	got := sb.screen()
	if len(got) != 2 || got[0] != "before" || !strings.HasPrefix(got[1], "✓ launching 2 workers (") {
		t.Fatalf("screen %q, want the line before and the step's ✓ line", got)
	}
	// A second end changes nothing.
	s.Done(nil)
	s.Clear()
	if again := sb.screen(); !slices.Equal(again, got) {
		t.Fatalf("after a second end: %q, want %q", again, got)
	}
}

func TestStepFailedOnTerminal(t *testing.T) {
	sb, o := terminal(60)
	c := New(sb, o)
	s := startSeen(t, c, sb, "building the image", "building the image (")
	errBuild := fmt.Errorf("no space left")
	if err := s.Done(errBuild); err != errBuild {
		t.Fatalf("Done returned %v, want its argument", err)
	}
	if got := sb.screen(); len(got) != 1 || !strings.HasPrefix(got[0], "✗ building the image (") {
		t.Fatalf("screen %q, want one ✗ line", got)
	}
}

func TestStepClearLeavesNothing(t *testing.T) {
	sb, o := terminal(30)
	c := New(sb, o)
	s := startSeen(t, c, sb, "waiting for http://127.0.0.1:8000/ and more", "waiting for")
	s.Clear()
	c.Printf("wrote out.png")
	if got := sb.screen(); !slices.Equal(got, []string{"wrote out.png"}) {
		t.Fatalf("screen %q, want only the result line (output %q)", got, sb.String())
	}
}

func TestShortStepIsSilent(t *testing.T) {
	sb, o := terminal(60)
	o.LiveAfter = time.Hour
	c := New(sb, o)
	if err := c.Start("quick").Done(nil); err != nil {
		t.Fatal(err)
	}
	if sb.String() != "" {
		t.Fatalf("a step shorter than LiveAfter wrote %q", sb.String())
	}
}

// clock is a settable time for the plain-line tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestStepPlainLines(t *testing.T) {
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	sb := &screenBuffer{width: 80}
	c := New(sb, Options{PlainAfter: 2 * time.Second, PlainEvery: 30 * time.Second, Tick: time.Millisecond, Now: clk.Now})
	s := c.Start("building the worker image")
	clk.advance(3 * time.Second)
	testutil.WaitFor(t, 10*time.Second, time.Millisecond, "the first plain line", func() bool {
		return strings.Contains(sb.String(), "building the worker image…\n")
	})
	clk.advance(30 * time.Second)
	testutil.WaitFor(t, 10*time.Second, time.Millisecond, "the repeated line", func() bool {
		return strings.Contains(sb.String(), "building the worker image… (33.0s)\n")
	})
	clk.advance(time.Second)
	s.Done(fmt.Errorf("boom"))
	want := "building the worker image…\nbuilding the worker image… (33.0s)\nbuilding the worker image: failed after 34.0s\n"
	if sb.String() != want {
		t.Fatalf("output %q, want %q", sb.String(), want)
	}
	if strings.ContainsAny(sb.String(), "\r\x1b") {
		t.Fatalf("plain output has terminal controls: %q", sb.String())
	}
}

func TestConcurrentUse(t *testing.T) {
	sb, o := terminal(50)
	c := New(sb, o)
	logs := c.Above(sb)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				c.SetLive(fmt.Sprintf("status %d %d", i, j))
				c.Printf("line %d %d", i, j)
				fmt.Fprintf(logs, "log %d %d\n", i, j)
			}
		})
	}
	wg.Wait()
	c.SetLive("")
	got := sb.screen()
	if len(got) != 400 {
		t.Fatalf("%d rows, want the 400 permanent lines", len(got))
	}
	for _, row := range got {
		if !strings.HasPrefix(row, "line ") && !strings.HasPrefix(row, "log ") {
			t.Fatalf("row %q is neither a permanent line nor a log line", row)
		}
	}
}

func TestElapsed(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0s"},
		{1234 * time.Millisecond, "1.2s"},
		{59*time.Second + 940*time.Millisecond, "59.9s"},
		{65 * time.Second, "1m05s"},
		{59*time.Minute + 59*time.Second, "59m59s"},
		{62 * time.Minute, "1h02m"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Elapsed(tt.d); got != tt.want {
				t.Errorf("Elapsed(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"fits", "abc", 3, "abc"},
		{"cut", "abcdef", 4, "abc…"},
		{"runes, not bytes", "⠋⠙⠹⠸", 3, "⠋⠙…"},
		{"one column", "abc", 1, "a"},
		{"no room", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := truncate(tt.in, tt.n); got != tt.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}
