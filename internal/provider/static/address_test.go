package static

import (
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		name, in, want, errHas string
	}{
		{name: "bare host port gets http", in: "127.0.0.1:8000", want: "http://127.0.0.1:8000"},
		{name: "http url", in: "http://worker-1:8000", want: "http://worker-1:8000"},
		{name: "https url", in: "https://w.example:443", want: "https://w.example:443"},
		{name: "trailing slash dropped", in: "http://127.0.0.1:8000/", want: "http://127.0.0.1:8000"},
		{name: "spaces trimmed", in: "  10.0.0.5:9000 ", want: "http://10.0.0.5:9000"},
		{name: "scheme and host lowered", in: "HTTP://Worker:8000", want: "http://worker:8000"},
		{name: "ipv6", in: "[::1]:8000", want: "http://[::1]:8000"},
		{name: "leading zeros in port normalised", in: "h:08000", want: "http://h:8000"},
		{name: "empty", in: "  ", errHas: "empty address"},
		{name: "no port", in: "http://worker", errHas: "want host:port"},
		{name: "bare host without port", in: "worker", errHas: "want host:port"},
		{name: "port zero", in: "w:0", errHas: "1-65535"},
		{name: "port too large", in: "w:65536", errHas: "1-65535"},
		{name: "port not a number", in: "w:http", errHas: "invalid port"},
		{name: "ftp scheme", in: "ftp://w:21", errHas: "not http or https"},
		{name: "path", in: "http://w:8000/raytracer", errHas: "no path"},
		{name: "query", in: "http://w:8000?x=1", errHas: "no path, query"},
		{name: "user info", in: "http://u:p@w:8000", errHas: "user information"},
		{name: "empty host", in: "http://:8000", errHas: "empty host"},
		{name: "too long", in: "http://" + strings.Repeat("a", MaxAddressLen) + ":1", errHas: "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddress(tt.in)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("ParseAddress(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.errHas)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []string
		errHas []string
	}{
		{name: "two", in: "127.0.0.1:8001,http://127.0.0.1:8002", want: []string{"http://127.0.0.1:8001", "http://127.0.0.1:8002"}},
		{name: "empty items ignored", in: ",a:1,, b:2 ,", want: []string{"http://a:1", "http://b:2"}},
		{name: "duplicate after canonical form", in: "a:1,http://a:1/", errHas: []string{"worker 2: duplicate address http://a:1"}},
		{name: "every problem reported", in: "a,ftp://b:1,c:3", errHas: []string{"worker 1:", "worker 2:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseList(tt.in)
			if len(tt.errHas) > 0 {
				if err == nil {
					t.Fatalf("ParseList(%q) = %q; want an error", tt.in, got)
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q lacks %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseList(%q): %v", tt.in, err)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("ParseList(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8000", "http://w:1/", "https://[::1]:443", "w", "ftp://x:1", "http://u@h:1", "h:99999", "%zz:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		// A canonical address parses to itself.
		b, err := ParseAddress(a)
		if err != nil || b != a {
			t.Fatalf("ParseAddress(%q) = %q, but ParseAddress(%q) = %q, %v", s, a, a, b, err)
		}
		if !strings.HasPrefix(a, "http://") && !strings.HasPrefix(a, "https://") {
			t.Fatalf("ParseAddress(%q) = %q has no http(s) scheme", s, a)
		}
	})
}
