package docstest

import (
	"regexp"
	"strings"
	"testing"
)

var (
	// durationRE is a measured time: 20ms, 1.5s, 850µs, 1m0s.
	durationRE = regexp.MustCompile(`\b(\d+(\.\d+)?(ns|µs|us|ms|s|m|h))+\b`)
	// decimalRE is a measured quantity: 48.9, 30.522.
	decimalRE = regexp.MustCompile(`\b\d+\.\d+\b`)
	// spacesRE is a run of spaces, which a table aligned on measured
	// values widens or narrows.
	spacesRE = regexp.MustCompile(` {2,}`)
)

// measured replaces what changes from run to run, times and decimal
// quantities, by placeholders, and the padding that aligns them in a
// table by one space.
func measured(s string) string {
	s = durationRE.ReplaceAllString(s, "<time>")
	s = decimalRE.ReplaceAllString(s, "<n>")
	return spacesRE.ReplaceAllString(s, " ")
}

// lineMatches reports whether an output line is what the page shows: the
// same but for measured times and quantities, an ellipsis (…) in the page
// standing for any text.
func lineMatches(page, got string) bool {
	parts := strings.Split(measured(page), "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile("^" + strings.Join(parts, ".*") + "$")
	if err != nil {
		return false
	}
	return re.MatchString(measured(strings.TrimRight(got, " \r")))
}

// contains reports whether the output holds the lines the page shows, in
// order, one after the other (the output may have more lines around
// them, such as the progress of a slow step).
func contains(out string, page []string) bool {
	if len(page) == 0 {
		return true
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for i := 0; i+len(page) <= len(lines); i++ {
		ok := true
		for j, want := range page {
			if !lineMatches(want, lines[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestLineMatches(t *testing.T) {
	tests := []struct {
		page, got string
		want      bool
	}{
		{"raytrace: result.bmp 400x300: 229782 rays, wall 20ms, cpu 29ms", "raytrace: result.bmp 400x300: 229782 rays, wall 7ms, cpu 1.5s", true},
		{"raytrace: result.bmp 400x300: 229782 rays", "raytrace: result.bmp 400x300: 229783 rays", false},
		{`{"uptime_s":4.03,"cores":…,"memory_bytes":…}`, `{"uptime_s":12.5,"cores":2,"memory_bytes":20230144}`, true},
		{"request …", "request 9d48f014aa", true},
		{"request 1507193a…", "request 9d48f014aa", false},
		{"5d0600c4bc2093d66b0e32de4fd30387  result.bmp", "5d0600c4bc2093d66b0e32de4fd30387  result.bmp", true},
		{"5d0600c4bc2093d66b0e32de4fd30387  result.bmp", "5d0600c4bc2093d66b0e32de4fd30388  result.bmp", false},
		{"a (x) [y] *z*", "a (x) [y] *z*", true},
		{"raytrace-window   raytracer   6   9.4ms   7.1ms", "raytrace-window   raytracer   6  12.0ms   8.5ms", true},
		{"raytrace-window   raytracer   6   9.4ms", "raytrace-window   raytracer   7  12.0ms", false},
		{"a b", "ab", false},
		{"", "", true},
		{"", "something", false},
	}
	for _, tt := range tests {
		if got := lineMatches(tt.page, tt.got); got != tt.want {
			t.Errorf("lineMatches(%q, %q) = %v, want %v", tt.page, tt.got, got, tt.want)
		}
	}
}

func TestContains(t *testing.T) {
	out := "waiting: done in 2.1s\nbanner\n\nPress Ctrl-C\nlog\n"
	if !contains(out, []string{"banner", "", "Press Ctrl-C"}) {
		t.Error("contiguous lines not found")
	}
	if contains(out, []string{"banner", "Press Ctrl-C"}) {
		t.Error("lines that are not one after the other were found")
	}
	if !contains(out, nil) {
		t.Error("no lines to find: not found")
	}
}
