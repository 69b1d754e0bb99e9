package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func TestParseConf(t *testing.T) {
	tests := []struct {
		name, in string
		want     []confEntry
	}{
		{name: "empty", in: ""},
		{name: "debian", in: "# libc default configuration\n/usr/local/lib\n", want: []confEntry{{dir: "/usr/local/lib"}}},
		{name: "include", in: "include /etc/ld.so.conf.d/*.conf\n", want: []confEntry{{include: "/etc/ld.so.conf.d/*.conf"}}},
		{name: "order kept", in: "/a\ninclude b/*.conf c.conf\n/d # comment\n",
			want: []confEntry{{dir: "/a"}, {include: "b/*.conf"}, {include: "c.conf"}, {dir: "/d"}}},
		{name: "separators", in: "/a:/b,/c\t/d /e\r\n", want: []confEntry{{dir: "/a"}, {dir: "/b"}, {dir: "/c"}, {dir: "/d"}, {dir: "/e"}}},
		{name: "type suffix, cleaning", in: "/usr/lib/x=libc6\n/a/../b/\n", want: []confEntry{{dir: "/usr/lib/x"}, {dir: "/b"}}},
		{name: "ignored", in: "hwcap 0 nosegneg\nrelative/dir\n#/commented\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseConf([]byte(tt.in))
			if len(got) != len(tt.want) {
				t.Fatalf("parseConf = %+v; want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("entry %d = %+v; want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// FuzzParseConf checks that every directory parseConf gives is absolute
// and clean, and that no entry holds a separator.
func FuzzParseConf(f *testing.F) {
	for _, s := range []string{"include /etc/ld.so.conf.d/*.conf\n", "/usr/local/lib\n# x\n", "/a:/b,/c=libc6 hwcap\n", "include\n", "/\x00\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range parseConf(b) {
			if (e.dir == "") == (e.include == "") {
				t.Fatalf("entry %+v is neither a directory nor an include", e)
			}
			if e.dir != "" && (!filepath.IsAbs(e.dir) || filepath.Clean(e.dir) != e.dir) {
				t.Fatalf("directory %q is not absolute and clean", e.dir)
			}
			if strings.ContainsFunc(e.dir+e.include, func(r rune) bool { return unicode.IsSpace(r) || r == ':' || r == ',' || r == '#' }) {
				t.Fatalf("entry %+v holds a separator", e)
			}
		}
	})
}

func TestLoadConf(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ld.so.conf", "/first\ninclude conf.d/*.conf\n/last\n/first\n")
	write("conf.d/b.conf", "/b # second in name order\ninclude "+filepath.Join(dir, "abs.conf")+"\n")
	write("conf.d/a.conf", "/a1:/a2\n")
	write("conf.d/a.conf.disabled", "/never\n")
	write("abs.conf", "/abs\n/last\n")
	got, err := LoadConf(filepath.Join(dir, "ld.so.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "/first /a1 /a2 /b /abs /last"; strings.Join(got, " ") != want {
		t.Errorf("LoadConf = %q; want %s", got, want)
	}

	if got, err := LoadConf(filepath.Join(dir, "missing.conf")); err != nil || len(got) != 0 {
		t.Errorf("LoadConf(missing) = %q, %v; want nothing", got, err)
	}
	write("loop.conf", "/x\ninclude loop.conf\n")
	if _, err := LoadConf(filepath.Join(dir, "loop.conf")); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("LoadConf(a loop) = %v; want an error", err)
	}
	write("big.conf", strings.Repeat("/x\n", maxConfSize/3+1))
	if _, err := LoadConf(filepath.Join(dir, "big.conf")); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("LoadConf(too big) = %v; want an error", err)
	}
}
