package testutil

import (
	"os/exec"
	"strings"
	"testing"
)

// AssertNoDeps fails tb for every dependency of package pkg (as `go list
// -deps` prints them) that forbidden names. An entry names a package and
// the packages below it; one with a trailing "/" names every package whose
// path starts with it.
func AssertNoDeps(tb testing.TB, pkg string, forbidden ...string) {
	tb.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
	if err != nil {
		tb.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) || strings.HasPrefix(dep, f+"/") {
				tb.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
