package codec

import (
	"bytes"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/specialvfx/vfx/internal/testutil"
)

func TestBMPRoundTripGolden(t *testing.T) {
	// A render of the original, as its ImageIO wrote it.
	raw := testutil.SeedCopy(t, "raytracer/generated-goldens/test03_64x48_aa.bmp")
	img, err := bmp.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := EncodeBMP(&buf, img); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Fatal("re-encoded BMP differs from the original's bytes")
	}
}
