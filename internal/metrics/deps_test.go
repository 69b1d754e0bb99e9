package metrics

import (
	"testing"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestImports enforces what each package's doc.go says it must not import.
func TestImports(t *testing.T) {
	const mod = "github.com/specialvfx/vfx/internal/metrics"
	cases := []struct {
		pkg       string
		forbidden []string // a trailing "/" forbids a whole tree
	}{
		{mod, []string{"database/sql", "modernc.org/", "github.com/aws/", "net/http", "os/exec", mod + "/sqlite"}},
		{mod + "/storetest", []string{"database/sql", "modernc.org/", "github.com/aws/", "net/http", "os/exec", mod + "/sqlite"}},
		// The driver's C library emulation links os/exec (for system(3)),
		// which this package never calls; the rest stays out.
		{mod + "/sqlite", []string{"github.com/aws/", "net/http"}},
	}
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			testutil.AssertNoDeps(t, c.pkg, c.forbidden...)
		})
	}
}
