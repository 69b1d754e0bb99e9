package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestHomeExpansion(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cwd := t.TempDir()
	t.Chdir(cwd)
	for _, tc := range []struct {
		in, want, err string
	}{
		{"~", home, ""},
		{"~/m.db", filepath.Join(home, "m.db"), ""},
		{"~/a/../b", filepath.Join(home, "b"), ""},
		{"/abs/~/x", "/abs/~/x", ""},
		{"rel/x", "rel/x", ""},
		{"~bob/x", "", "another user's home"},
	} {
		got, err := expandHome(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expandHome(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expandHome(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		abs  bool
		want string
	}{
		{"sqlite:~/m.db", false, "sqlite:" + filepath.Join(home, "m.db")},
		{"sqlite:~/m.db?busy_timeout=2s", false, "sqlite:" + filepath.Join(home, "m.db") + "?busy_timeout=2s"},
		{"sqlite:rel/m.db", false, "sqlite:rel/m.db"},
		{"sqlite:rel/m.db", true, "sqlite:" + filepath.Join(cwd, "rel/m.db")},
		{"none", true, "none"},
		{"NONE", false, "none"},
		{"dynamodb:table?region=eu-west-1", true, "dynamodb:table?region=eu-west-1"},
	} {
		got, err := resolveStoreURL(tc.in, tc.abs)
		if err != nil || got != tc.want {
			t.Errorf("resolveStoreURL(%q, %v) = %q, %v; want %q", tc.in, tc.abs, got, err, tc.want)
		}
	}
	if _, err := resolveStoreURL("sqlite:~bob/m.db", false); err == nil {
		t.Error("sqlite:~bob/m.db accepted")
	}

	// The commands: vfx metrics looks for the store in the home directory,
	// and neither it nor a path flag creates a directory named "~".
	_, code, err := runRoot(t, "metrics", "requests", "--store", "sqlite:~/m.db")
	if code != 1 || err == nil || !strings.Contains(err.Error(), filepath.Join(home, "m.db")+" does not exist") {
		t.Errorf("vfx metrics --store sqlite:~/m.db: exit %d, %v", code, err)
	}
	_, _, err = runRoot(t, "blur", "in.png", "-o=~/out.png")
	if err == nil || !strings.Contains(err.Error(), "in.png") {
		t.Errorf("vfx blur: %v", err)
	}
	var f lbFlags
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f.bind(fs)
	if err := fs.Parse([]string{"--state-dir=~/state", "--store=sqlite:~/s.db"}); err != nil {
		t.Fatal(err)
	}
	if err := f.useStateDir(fs, nil); err != nil || f.stateDir != filepath.Join(home, "state") {
		t.Errorf("--state-dir=~/state gives %q, %v", f.stateDir, err)
	}
	if u, err := f.storeURL(); err != nil || u != "sqlite:"+filepath.Join(home, "s.db") {
		t.Errorf("--store=sqlite:~/s.db gives %q, %v", u, err)
	}
	if _, err := os.Stat(filepath.Join(cwd, "~")); !os.IsNotExist(err) {
		t.Errorf("a directory named ~ was created: %v", err)
	}
}

// FuzzResolveStoreURL: resolveStoreURL never panics, never leaves a
// leading "~" in a sqlite path, and gives a URL it resolves to itself.
func FuzzResolveStoreURL(f *testing.F) {
	for _, s := range []string{"sqlite:~/m.db", "sqlite://~", "sqlite:~bob/x", "sqlite:a?busy_timeout=1s", "none", "x:", "sqlite:~?", ":"} {
		f.Add(s)
	}
	f.Setenv("HOME", "/home/fuzz")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := resolveStoreURL(in, false)
		if err != nil {
			return
		}
		if rest, ok := strings.CutPrefix(out, "sqlite:"); ok && strings.HasPrefix(rest, "~") {
			t.Fatalf("resolveStoreURL(%q) = %q keeps the ~", in, out)
		}
		again, err := resolveStoreURL(out, false)
		if err != nil || again != out {
			t.Fatalf("resolveStoreURL(%q) = %q, which resolves to %q, %v", in, out, again, err)
		}
	})
}
