package access

import (
	"strings"
	"testing"
)

func TestLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr     string
		loopback bool
		err      string
	}{
		{"127.0.0.1:8000", true, ""},
		{"127.1.2.3:0", true, ""},
		{"[::1]:8000", true, ""},
		{"localhost:8000", true, ""},
		{"LocalHost:1", true, ""},
		{":8000", false, ""},
		{"0.0.0.0:8000", false, ""},
		{"[::]:8000", false, ""},
		{"192.168.1.10:8000", false, ""},
		{"example.com:8000", false, ""},
		{"localhost.example.com:8000", false, ""},
		{"[fe80::1%lo]:8000", false, ""},
		{"8000", false, "want host:port"},
		{"", false, "want host:port"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			got, err := Loopback(tc.addr)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.loopback {
				t.Fatalf("Loopback(%q) = %v, %v; want %v", tc.addr, got, err, tc.loopback)
			}
		})
	}
}

// FuzzLoopback: Loopback never panics, and an address it calls loopback
// has a loopback host.
func FuzzLoopback(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8000", ":8000", "[::1]:1", "localhost:2", "x", "[::ffff:127.0.0.1]:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		ok, err := Loopback(addr)
		if err != nil && ok {
			t.Fatalf("Loopback(%q) = true with error %v", addr, err)
		}
		if ok && (strings.HasPrefix(addr, ":") || strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, "[::]:")) {
			t.Fatalf("Loopback(%q) = true", addr)
		}
	})
}
