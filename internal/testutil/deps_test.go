package testutil

import (
	"strings"
	"testing"
)

const self = "github.com/specialvfx/vfx/internal/testutil"

// TestDependencies enforces doc.go: nothing of this module is imported, so
// that any package's internal tests can import testutil.
func TestDependencies(t *testing.T) {
	for _, dep := range goList(t, self, "-deps") {
		if strings.HasPrefix(dep, "github.com/specialvfx/vfx/") && dep != self {
			t.Errorf("testutil depends on %s", dep)
		}
	}
}

// TestAssertNoDeps: the check reports a forbidden dependency, a whole tree
// with a trailing "/", a package with those below it without, and nothing
// else.
func TestAssertNoDeps(t *testing.T) {
	f := run(func(tb testing.TB) {
		AssertNoDeps(tb, self, "net/", "os", "go.uber.org/goleak")
	})
	joined := strings.Join(f.errs, "\n") + "\n"
	for _, want := range []string{"depends on net/http\n", "depends on os/exec\n", "depends on os\n", "depends on go.uber.org/goleak\n"} {
		if !strings.Contains(joined, want) {
			t.Errorf("AssertNoDeps reported\n%s\nwithout %q", joined, want)
		}
	}
	if strings.Contains(joined, "depends on strings") || strings.Contains(joined, "depends on net\n") {
		t.Errorf("AssertNoDeps reported an allowed package:\n%s", joined)
	}
}

// TestAssertNoImports: only the package's own imports count, not what they
// import in turn.
func TestAssertNoImports(t *testing.T) {
	f := run(func(tb testing.TB) {
		// deps.go imports os/exec; nothing here imports unicode/utf8
		// itself, though strings and fmt do.
		AssertNoImports(tb, self, "os", "unicode/utf8")
	})
	joined := strings.Join(f.errs, "\n") + "\n"
	for _, want := range []string{"imports os/exec\n", "imports os\n"} {
		if !strings.Contains(joined, want) {
			t.Errorf("AssertNoImports reported\n%s\nwithout %q", joined, want)
		}
	}
	if strings.Contains(joined, "unicode/utf8") {
		t.Errorf("AssertNoImports reported an indirect dependency:\n%s", joined)
	}
}

func TestForbids(t *testing.T) {
	tests := []struct {
		name      string
		forbidden []string
		path      string
		want      bool
	}{
		{"the package itself", []string{"os"}, "os", true},
		{"a package below it", []string{"os"}, "os/exec", true},
		{"a name that only starts alike", []string{"os"}, "osext", false},
		{"a tree", []string{"github.com/aws/"}, "github.com/aws/aws-sdk-go-v2/service/ec2", true},
		{"a tree is not its root", []string{"github.com/specialvfx/vfx/internal/provider/"}, "github.com/specialvfx/vfx/internal/provider", false},
		{"below a tree's root", []string{"github.com/specialvfx/vfx/internal/provider/"}, "github.com/specialvfx/vfx/internal/provider/local", true},
		{"second entry", []string{"net/http", "flag"}, "flag", true},
		{"nothing forbidden", nil, "os", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := forbids(tc.forbidden, tc.path); got != tc.want {
				t.Errorf("forbids(%q, %q) = %v, want %v", tc.forbidden, tc.path, got, tc.want)
			}
		})
	}
}
