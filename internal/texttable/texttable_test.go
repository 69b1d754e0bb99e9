package texttable

import (
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

func TestWrite(t *testing.T) {
	var b strings.Builder
	Write(&b, [][]string{{"item", "µs", "n"}, {"a", "1", "-"}, {"longer", "12345", ""}}, "lrl")
	want := "item       µs  n\n" +
		"a           1  -\n" +
		"longer  12345\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "-"},
		{-time.Second, "-"},
		{850 * time.Microsecond, "850µs"},
		{25100 * time.Microsecond, "25.1ms"},
		{1250 * time.Millisecond, "1.25s"},
		{90 * time.Second, "90.00s"},
	} {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestImports keeps the package pure (doc.go).
func TestImports(t *testing.T) {
	testutil.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/texttable", "net/http", "os/exec")
	testutil.AssertNoImports(t, "github.com/specialvfx/vfx/internal/texttable", "os")
}
