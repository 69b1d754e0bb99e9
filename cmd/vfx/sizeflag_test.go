package main

import "testing"

func TestByteSizeFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"1048576", 1 << 20, false},
		{"64MiB", 64 << 20, false},
		{"64mib", 64 << 20, false},
		{"100MB", 100_000_000, false},
		{"2 GiB", 2 << 30, false},
		{"512KiB", 512 << 10, false},
		{"512m", 512 << 20, false},
		{"1g", 1 << 30, false},
		{"256k", 256 << 10, false},
		{"0", 0, false},
		{"0MiB", 0, false},
		{"-1MiB", 0, true},
		{"10XB", 0, true},
		{"MiB", 0, true},
		{"", 0, true},
		{"99999999999GiB", 0, true},
		{"1.5GiB", 0, true},
		{"64 MB", 64_000_000, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var b byteSize
			err := b.Set(tc.in)
			if (err != nil) != tc.err || (!tc.err && int64(b) != tc.want) {
				t.Errorf("Set(%q) = %d, %v; want %d, error %v", tc.in, int64(b), err, tc.want, tc.err)
			}
		})
	}
	b := byteSize(64 << 20)
	if b.String() != "64MiB" {
		t.Errorf("String() = %q, want 64MiB", b.String())
	}
}

// FuzzByteSize: Set never panics, accepts no negative size, and
// String gives back a size Set reads as the same value.
func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"64MiB", "1048576", "100MB", "2 GiB", "-1", "GiB", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b byteSize
		if err := b.Set(s); err != nil {
			return
		}
		if b < 0 {
			t.Fatalf("Set(%q) = %d", s, int64(b))
		}
		var c byteSize
		if err := c.Set(b.String()); err != nil || c != b {
			t.Fatalf("Set(%q) = %d; String %q reads back as %d, %v", s, int64(b), b.String(), int64(c), err)
		}
	})
}
