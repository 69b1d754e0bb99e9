package wire

import (
	"strings"
	"testing"
	"time"
)

func TestValidRequestID(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   string
		want bool
	}{
		{"token", "lb-42", true},
		{"hex", "1507193a9d48f014", true},
		{"longest", strings.Repeat("x", MaxRequestID), true},
		{"empty", "", false},
		{"too long", strings.Repeat("x", MaxRequestID+1), false},
		{"space", "has space", false},
		{"control", "a\tb", false},
		{"non-ASCII", "é", false},
	} {
		if got := ValidRequestID(tc.id); got != tc.want {
			t.Errorf("%s: ValidRequestID(%q) = %v, want %v", tc.name, tc.id, got, tc.want)
		}
	}
}

func TestEchoRequestID(t *testing.T) {
	if got := EchoRequestID("mine-1", "srv"); got != "mine-1" {
		t.Errorf("a valid client id: echoed %q", got)
	}
	for _, client := range []string{"", "has space", strings.Repeat("x", MaxRequestID+1)} {
		if got := EchoRequestID(client, "srv"); got != "srv" {
			t.Errorf("client id %q: echoed %q, want the server's", client, got)
		}
	}
}

func TestParseAttempt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true},
		{"2", 2, true},
		{"1000000", MaxAttempt, true},
		{"1000001", 0, false},
		{"99999999", 0, false},
		{"0", 0, false},
		{"01", 0, false},
		{"", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1.0", 0, false},
		{"x", 0, false},
	} {
		n, ok := ParseAttempt(tc.in)
		if ok != tc.ok || ok && n != tc.want {
			t.Errorf("ParseAttempt(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.want, tc.ok)
		}
	}
}

func TestMs(t *testing.T) {
	if got := FormatMs(1234567 * time.Nanosecond); got != "1.235" {
		t.Errorf("FormatMs = %q, want 1.235", got)
	}
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"1.235", 1235 * time.Microsecond},
		{" 30.200 ", 30200 * time.Microsecond},
		{"0", 0},
		{"", 0},
		{"x", 0},
		{"-1", 0},
		{"NaN", 0},
		{"Inf", 0},
		{"1e13", 0},
	} {
		if got := ParseMs(tc.in); got != tc.want {
			t.Errorf("ParseMs(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
