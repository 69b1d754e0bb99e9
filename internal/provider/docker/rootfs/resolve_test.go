package rootfs

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// libs renders Libraries as "name=path<needed-by" with the paths relative
// to root, for comparisons.
func libs(root string, ls []Library) []string {
	var out []string
	for _, l := range ls {
		rel := func(p string) string { r, _ := filepath.Rel(root, p); return r }
		out = append(out, l.Name+"="+rel(l.Path)+"<"+rel(l.NeededBy))
	}
	return out
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]fakeELF // relative to a fresh root; "bin/exe" is resolved
		other map[string]string  // non-ELF files
		conf  []string           // Search.Conf, relative to root
		want  []string           // libs(...)
		interp,
		errHas string
	}{
		{
			name:  "static",
			files: map[string]fakeELF{"bin/exe": {typ: elf.ET_EXEC}},
		},
		{
			name: "recursive, breadth first, each once",
			files: map[string]fakeELF{
				"bin/exe":     {needed: []string{"liba.so", "libb.so"}},
				"def/liba.so": {needed: []string{"libc.so"}},
				"def/libb.so": {needed: []string{"liba.so", "libc.so"}},
				"def/libc.so": {needed: []string{"libb.so"}}, // a cycle
			},
			want: []string{"liba.so=def/liba.so<bin/exe", "libb.so=def/libb.so<bin/exe", "libc.so=def/libc.so<def/liba.so"},
		},
		{
			name: "conf before defaults, in order",
			files: map[string]fakeELF{
				"bin/exe":      {needed: []string{"libx.so"}},
				"c2/libx.so":   {},
				"c3/libx.so":   {},
				"def/libx.so":  {},
				"c1/other.so":  {},
				"c1/libx.so.2": {},
			},
			conf: []string{"c1", "c2", "c3"},
			want: []string{"libx.so=c2/libx.so<bin/exe"},
		},
		{
			name: "another machine, a directory and a file that is not ELF are skipped",
			files: map[string]fakeELF{
				"bin/exe":     {needed: []string{"libx.so"}},
				"c1/libx.so":  {machine: elf.EM_AARCH64},
				"def/libx.so": {},
			},
			other: map[string]string{"c2/libx.so": "not an ELF file", "c3/libx.so/keep": ""},
			conf:  []string{"c1", "c2", "c3"},
			want:  []string{"libx.so=def/libx.so<bin/exe"},
		},
		{
			name: "rpath with $ORIGIN first",
			files: map[string]fakeELF{
				"bin/exe":     {needed: []string{"libx.so"}, rpathRaw: "$ORIGIN/../rp:${ORIGIN}/../rp2"},
				"rp2/libx.so": {},
				"c1/libx.so":  {},
			},
			conf: []string{"c1"},
			want: []string{"libx.so=rp2/libx.so<bin/exe"},
		},
		{
			name: "runpath of the executable: its rpath is not used",
			files: map[string]fakeELF{
				"bin/exe":     {needed: []string{"libx.so"}, rpathRaw: "$ORIGIN/../rp", runpathRaw: "$ORIGIN/../run"},
				"rp/libx.so":  {},
				"run/libx.so": {},
			},
			want: []string{"libx.so=run/libx.so<bin/exe"},
		},
		{
			name: "the executable's rpath serves its libraries",
			files: map[string]fakeELF{
				"bin/exe":     {needed: []string{"liba.so"}, rpathRaw: "$ORIGIN/../rp"},
				"def/liba.so": {needed: []string{"libz.so"}},
				"rp/libz.so":  {},
				"def/libz.so": {},
			},
			want: []string{"liba.so=def/liba.so<bin/exe", "libz.so=rp/libz.so<def/liba.so"},
		},
		{
			name: "a library with a runpath does not use the executable's rpath",
			files: map[string]fakeELF{
				"bin/exe":     {needed: []string{"liba.so"}, rpathRaw: "$ORIGIN/../rp"},
				"def/liba.so": {needed: []string{"libz.so"}, runpathRaw: "$ORIGIN/../run"},
				"rp/libz.so":  {},
			},
			errHas: "libz.so (needed by ROOT/def/liba.so): not found in ROOT/run:ROOT/def",
		},
		{
			name: "$ORIGIN of a library is its directory",
			files: map[string]fakeELF{
				"bin/exe":             {needed: []string{"liba.so"}},
				"def/liba.so":         {needed: []string{"libz.so"}, runpathRaw: "$ORIGIN/plugins:$LIB/skipped::relative"},
				"def/plugins/libz.so": {},
			},
			want: []string{"liba.so=def/liba.so<bin/exe", "libz.so=def/plugins/libz.so<def/liba.so"},
		},
		{
			name: "a name with a slash is a path",
			files: map[string]fakeELF{
				"bin/exe":       {needed: []string{"ROOT/opt/libq.so"}},
				"opt/libq.so":   {},
				"def/libq.so":   {},
				"def/ROOT/opt/": {},
			},
			want: []string{"ROOT/opt/libq.so=opt/libq.so<bin/exe"},
		},
		{
			name:   "not found",
			files:  map[string]fakeELF{"bin/exe": {needed: []string{"libnone.so.3"}}},
			conf:   []string{"c1"},
			errHas: "libnone.so.3 (needed by ROOT/bin/exe): not found in ROOT/c1:ROOT/def",
		},
		{
			name: "interpreter, loaded once",
			files: map[string]fakeELF{
				"bin/exe":     {interp: "ROOT/lib/ld.so", needed: []string{"libc.so"}},
				"lib/ld.so":   {soname: "ld-test.so.2"},
				"def/libc.so": {needed: []string{"ld-test.so.2"}},
			},
			interp: "lib/ld.so",
			want:   []string{"libc.so=def/libc.so<bin/exe"},
		},
		{
			name: "a library's soname counts as loaded",
			files: map[string]fakeELF{
				"bin/exe":        {needed: []string{"libv.so", "libw.so"}},
				"def/libv.so":    {soname: "libv.so.1"},
				"def/libw.so":    {needed: []string{"libv.so.1"}},
				"def/libv.so.1":  {},
				"def/unrelated/": {},
			},
			want: []string{"libv.so=def/libv.so<bin/exe", "libw.so=def/libw.so<bin/exe"},
		},
		{
			name:   "missing interpreter",
			files:  map[string]fakeELF{"bin/exe": {interp: "ROOT/lib/ld-missing.so"}},
			errHas: "program interpreter: open ROOT/lib/ld-missing.so: no such file",
		},
		{
			name:   "object file",
			files:  map[string]fakeELF{"bin/exe": {typ: elf.ET_REL}},
			errHas: "not an executable (ET_REL)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			abs := func(s string) string { return strings.ReplaceAll(s, "ROOT", root) }
			for p, e := range tt.files {
				if strings.HasSuffix(p, "/") {
					if err := os.MkdirAll(filepath.Join(root, p), 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				e.interp = abs(e.interp)
				for i := range e.needed {
					e.needed[i] = abs(e.needed[i])
				}
				writeELF(t, filepath.Join(root, p), e)
			}
			for p, content := range tt.other {
				full := filepath.Join(root, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s := Search{Default: []string{filepath.Join(root, "def")}}
			for _, c := range tt.conf {
				s.Conf = append(s.Conf, filepath.Join(root, c))
			}
			d, err := Resolve(filepath.Join(root, "bin/exe"), s)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), abs(tt.errHas)) {
					t.Fatalf("Resolve = %+v, %v; want an error with %q", d, err, abs(tt.errHas))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := libs(root, d.Libraries)
			for i := range got {
				got[i] = strings.ReplaceAll(got[i], root, "ROOT")
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("libraries %q; want %q", got, tt.want)
			}
			wantInterp := ""
			if tt.interp != "" {
				wantInterp = filepath.Join(root, tt.interp)
			}
			if d.Interpreter != wantInterp || d.Static() != (wantInterp == "" && len(tt.want) == 0) {
				t.Errorf("interpreter %q (static %v); want %q", d.Interpreter, d.Static(), wantInterp)
			}
		})
	}
}

func TestResolveNotELF(t *testing.T) {
	p := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(p, Search{}); err == nil || !strings.Contains(err.Error(), "script: not an ELF executable") {
		t.Errorf("Resolve(a script) = %v", err)
	}
	if _, err := Resolve("/nonexistent/vfx", Search{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Resolve(missing) = %v", err)
	}
}

// lddDeps runs ldd, the loader itself, on path: its libraries by name with
// their paths, and its interpreter; dynamic is false for a static one.
func lddDeps(t *testing.T, path string) (libs map[string]string, interp string, dynamic bool) {
	t.Helper()
	out, err := exec.Command("ldd", path).CombinedOutput()
	if strings.Contains(string(out), "not a dynamic executable") {
		return nil, "", false
	}
	if err != nil {
		t.Fatalf("ldd %s: %v\n%s", path, err, out)
	}
	libs = map[string]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[1] == "=>" && filepath.IsAbs(f[2]):
			libs[f[0]] = f[2]
		case len(f) >= 1 && filepath.IsAbs(f[0]):
			interp = f[0]
		}
	}
	return libs, interp, true
}

// TestResolveLikeTheLoader compares Resolve with what the loader of this
// machine loads (ldd) for real executables: a dynamically linked one
// whose libraries need others, and this test binary (dynamic when built
// with cgo, e.g. -race; static otherwise).
func TestResolveLikeTheLoader(t *testing.T) {
	s, err := HostSearch()
	if err != nil {
		t.Fatal(err)
	}
	for _, exe := range []string{"/bin/ls", os.Args[0]} {
		t.Run(filepath.Base(exe), func(t *testing.T) {
			want, wantInterp, dynamic := lddDeps(t, exe)
			d, err := Resolve(exe, s)
			if err != nil {
				t.Fatal(err)
			}
			if !dynamic {
				if !d.Static() {
					t.Fatalf("ldd says %s is static; Resolve found %+v", exe, d)
				}
				return
			}
			if exe == "/bin/ls" && len(want) < 2 {
				t.Fatalf("ldd lists %v for /bin/ls: the test wants a binary with libraries that need others", want)
			}
			real := func(p string) string {
				r, err := filepath.EvalSymlinks(p)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			var names []string
			for _, l := range d.Libraries {
				names = append(names, l.Name)
				if w, ok := want[l.Name]; !ok || real(w) != real(l.Path) {
					t.Errorf("%s: found at %s; the loader loads %q", l.Name, l.Path, w)
				}
			}
			for name := range want {
				if !slices.Contains(names, name) {
					t.Errorf("%s: the loader loads it, Resolve did not find it", name)
				}
			}
			if real(d.Interpreter) != real(wantInterp) {
				t.Errorf("interpreter %s; the loader is %s", d.Interpreter, wantInterp)
			}
		})
	}
}

func TestDefaultDirs(t *testing.T) {
	tests := []struct {
		class   elf.Class
		machine elf.Machine
		want    string
	}{
		{elf.ELFCLASS64, elf.EM_X86_64, "/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 /lib /usr/lib"},
		{elf.ELFCLASS32, elf.EM_386, "/lib/i386-linux-gnu /usr/lib/i386-linux-gnu /lib /usr/lib"},
		{elf.ELFCLASS64, elf.EM_MIPS, "/lib64 /usr/lib64 /lib /usr/lib"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.machine), func(t *testing.T) {
			if got := strings.Join(DefaultDirs(tt.class, tt.machine), " "); got != tt.want {
				t.Errorf("DefaultDirs = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct{ in, origin, want string }{
		{"/a:/b", "/opt/bin", "/a /b"},
		{"$ORIGIN/../lib:${ORIGIN}", "/opt/bin", "/opt/lib /opt/bin"},
		{"::/a/./b/:", "/opt/bin", "/a/b"},
		{"$LIB/x:$PLATFORM:rel/dir:/ok", "/opt/bin", "/ok"},
		{"$ORIGIN/lib", "/tmp/a$b", "/tmp/a$b/lib"}, // a '$' of the origin is no token
		{"", "/opt/bin", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(SplitPath(tt.in, tt.origin), " "); got != tt.want {
			t.Errorf("SplitPath(%q, %q) = %q; want %q", tt.in, tt.origin, got, tt.want)
		}
	}
}

// FuzzSplitPath checks that every directory SplitPath gives is absolute,
// clean and free of tokens.
func FuzzSplitPath(f *testing.F) {
	for _, s := range []string{"/a:/b", "$ORIGIN/../lib", "${ORIGIN}:${ORIGIN", "::", "$ORIGINAL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, d := range SplitPath(v, "/origin") {
			if !filepath.IsAbs(d) || filepath.Clean(d) != d || strings.Contains(d, "$") || strings.Contains(d, ":") {
				t.Fatalf("SplitPath(%q) gave %q", v, d)
			}
		}
	})
}
