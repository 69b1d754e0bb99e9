package worker

import (
	"testing"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
)

// The request payloads of the tests, built as clients build them.
var (
	testPNG   = testutil.PNG            // a w×h PNG
	bombPNG   = testutil.BombPNG        // a PNG header claiming w×h pixels
	dataURL   = dataurl.String          // a one-line data URL
	wrapped76 = testutil.WrappedDataURL // a data URL wrapped at 76 columns
)

const query400 = "scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false"

// sceneBody is the original's JSON body for scene with an optional texmap
// of byte values.
func sceneBody(tb testing.TB, scene []byte, texmap []byte) string {
	tb.Helper()
	return string(wire.RaytraceBody(scene, texmap))
}
