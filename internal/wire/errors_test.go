package wire

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestOneLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\nb", "a; b"},
		{"  a \r\n\r\n b\t c ", "a; b  c"},
		{"x\x00y", "x y"},
	} {
		if got := OneLine(tc.in); got != tc.want {
			t.Errorf("OneLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := OneLine(strings.Repeat("é", 2000))
	if len(long) > maxMessage+len("…") || !strings.HasSuffix(long, "…") {
		t.Errorf("long message is %d bytes, want at most %d ending in …", len(long), maxMessage+3)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…"},
		{"ééé", 3, "é…"}, // never cuts a character in two
		{"x", 0, "…"},
	} {
		if got := Truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	cause := errors.New("cause")
	re := NewError(413, "too\nlarge", cause)
	if re.Msg != "too; large" || !errors.Is(re, cause) {
		t.Errorf("NewError: %q, unwraps to the cause: %v", re.Msg, errors.Is(re, cause))
	}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"request error", re, 413},
		{"wrapped", fmt.Errorf("decoding: %w", re), 413},
		{"other", cause, 500},
	} {
		if got := StatusOf(tc.err); got != tc.want {
			t.Errorf("%s: StatusOf = %d, want %d", tc.name, got, tc.want)
		}
	}
	if !strings.Contains(fmt.Errorf("x: %w", re).Error(), "too; large") {
		t.Error("message lost when wrapped")
	}
}

// wantError checks err against want, a part of the expected message (""
// when no error is expected): it fails t unless they agree, and reports
// whether an error was expected, which ends the case.
func wantError(t *testing.T, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	return true
}
