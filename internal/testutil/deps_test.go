package testutil

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies enforces doc.go: nothing of this module is imported, so
// that any package's internal tests can import testutil.
func TestDependencies(t *testing.T) {
	const self = "github.com/specialvfx/vfx/internal/testutil"
	out, err := exec.Command("go", "list", "-deps", self).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/specialvfx/vfx/") && dep != self {
			t.Errorf("testutil depends on %s", dep)
		}
	}
	// And the check itself reports a forbidden dependency, a whole tree
	// with a trailing "/" and a package with those below it without.
	f := run(func(tb testing.TB) {
		AssertNoDeps(tb, "github.com/specialvfx/vfx/internal/testutil", "net/", "os", "go.uber.org/goleak")
	})
	joined := strings.Join(f.errs, "\n")
	for _, want := range []string{"depends on net/http", "depends on os/exec", "depends on os\n", "depends on go.uber.org/goleak"} {
		if !strings.Contains(joined+"\n", want) {
			t.Errorf("AssertNoDeps reported\n%s\nwithout %q", joined, want)
		}
	}
	if strings.Contains(joined, "depends on strings") {
		t.Errorf("AssertNoDeps reported an allowed package:\n%s", joined)
	}
}
