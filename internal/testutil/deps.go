package testutil

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// AssertNoDeps fails tb for every dependency of package pkg, direct or not
// (as `go list -deps` prints them), that forbidden names. An entry names a
// package and the packages below it; one with a trailing "/" names every
// package whose path starts with it.
func AssertNoDeps(tb testing.TB, pkg string, forbidden ...string) {
	tb.Helper()
	for _, dep := range goList(tb, pkg, "-deps") {
		if forbids(forbidden, dep) {
			tb.Errorf("%s depends on %s", pkg, dep)
		}
	}
}

// AssertNoImports is AssertNoDeps for the packages pkg imports itself (its
// non-test Go files), not for what they import in turn. It is the check
// for packages that every package depends on indirectly, such as os
// (through fmt).
func AssertNoImports(tb testing.TB, pkg string, forbidden ...string) {
	tb.Helper()
	for _, imp := range goList(tb, pkg, "-f", `{{join .Imports "\n"}}`) {
		if forbids(forbidden, imp) {
			tb.Errorf("%s imports %s", pkg, imp)
		}
	}
}

// forbids reports whether an entry of forbidden names package path, as
// AssertNoDeps reads its entries.
func forbids(forbidden []string, path string) bool {
	for _, f := range forbidden {
		if path == f || strings.HasPrefix(path, strings.TrimSuffix(f, "/")+"/") {
			return true
		}
	}
	return false
}

// listed caches what go list printed, by command line: the packages do
// not change while tests run, and a package is often checked by several
// rules.
var listed struct {
	sync.Mutex
	out map[string][]string
}

// goList runs `go list ARGS pkg` and returns the words it prints.
func goList(tb testing.TB, pkg string, args ...string) []string {
	tb.Helper()
	argv := append(append([]string{"list"}, args...), pkg)
	key := strings.Join(argv, "\x00")
	listed.Lock()
	words, ok := listed.out[key]
	listed.Unlock()
	if ok {
		return words
	}
	out, err := exec.Command("go", argv...).CombinedOutput()
	if err != nil {
		tb.Fatalf("go list %s %s: %v\n%s", strings.Join(args, " "), pkg, err, out)
	}
	words = strings.Fields(string(out))
	listed.Lock()
	if listed.out == nil {
		listed.out = map[string][]string{}
	}
	listed.out[key] = words
	listed.Unlock()
	return words
}
