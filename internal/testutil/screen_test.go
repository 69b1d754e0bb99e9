package testutil

import (
	"slices"
	"testing"
)

func TestScreen(t *testing.T) {
	tests := []struct {
		name  string
		out   string
		width int
		want  []string
	}{
		{name: "plain lines", out: "a\r\nb\r\n", width: 10, want: []string{"a", "b"}},
		{name: "carriage return overwrites", out: "hello\rHE\r\n", width: 10, want: []string{"HEllo"}},
		{name: "erase to end of line", out: "spinner 1s\r\x1b[Kdone\r\n", width: 20, want: []string{"done"}},
		{name: "erase whole line keeps cursor", out: "abc\x1b[2Kx", width: 10, want: []string{"   x"}},
		{name: "erase to start, cursor included", out: "abcde\b\b\x1b[1K", width: 10, want: []string{"    e"}},
		{name: "spaces clear a shorter line only", out: "waiting 0s\r   \rok\r\n", width: 20, want: []string{"ok ting 0s"}},
		{name: "long line wraps", out: "abcdefgh\r\n", width: 5, want: []string{"abcde", "fgh"}},
		{name: "carriage return after a wrap stays on the second row", out: "abcdefgh\r\x1b[Kxy\r\n", width: 5, want: []string{"abcde", "xy"}},
		{name: "exact width then newline does not add a row", out: "abcde\r\nf", width: 5, want: []string{"abcde", "f"}},
		{name: "utf-8 and tabs", out: "⠋\tx", width: 20, want: []string{"⠋       x"}},
		{name: "other sequences skipped", out: "\x1b[1mbold\x1b[0m\x1b7", width: 20, want: []string{"bold"}},
		{name: "trailing empty rows dropped", out: "a\r\n\r\n\r\n", width: 20, want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Screen([]byte(tt.out), tt.width); !slices.Equal(got, tt.want) {
				t.Errorf("Screen(%q, %d) = %q, want %q", tt.out, tt.width, got, tt.want)
			}
		})
	}
}

// FuzzScreen: any output renders without panicking, into rows no wider
// than the screen.
func FuzzScreen(f *testing.F) {
	for _, s := range []string{"a\r\nb", "\x1b[2K\x1b[", "\x1b", "abc\b\b\b\b\t\x1b[1K", "\xff\xfe"} {
		f.Add([]byte(s), 8)
	}
	f.Fuzz(func(t *testing.T, out []byte, width int) {
		width = width%200 + 1
		if width <= 0 {
			width += 200
		}
		for _, row := range Screen(out, width) {
			if n := len([]rune(row)); n > width {
				t.Fatalf("row %q has %d runes, width %d", row, n, width)
			}
		}
	})
}
