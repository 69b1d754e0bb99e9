package imageproc

import (
	"errors"
	"fmt"
	"image"
	"time"
)

// BlurRadius is the radius of the Gaussian kernel of Blur: the kernel is
// 2*BlurRadius+1 = 65 taps wide and its sigma is (2*BlurRadius+1)/5 = 13.
const BlurRadius = 32

// EnhanceRadius is the radius of the local window of Enhance: the window is
// 2*EnhanceRadius+1 = 101 pixels on each side.
const EnhanceRadius = 50

// Options tune how a filter runs; they never change its result.
type Options struct {
	// Threads is the number of OS threads the filter may use; 0 means one per
	// usable CPU (GOMAXPROCS). Negative values are rejected.
	Threads int
}

// Stats describe what one filter run cost.
//
// Units are deterministic: the same image gives the same count on any machine
// and with any number of threads.
//
//   - Blur: one unit is one kernel tap applied to one channel sample, that is
//     one multiply-add of the direct normalised convolution. Both passes and
//     all three channels count; taps that fall outside the image are not
//     counted. For an image much larger than the kernel this is about
//     3 channels × 2 passes × 65 taps = 390 units per pixel.
//   - Enhance: one unit is one histogram bin touched. A pixel added to or
//     removed from a column histogram counts 1; adding or subtracting a
//     16-bin block of a column histogram to or from the window histogram
//     counts 16; reading the cumulative count for a pixel counts the bins
//     summed (coarse bins below the pixel's block plus fine bins up to its
//     value). For large images this is typically 30 to 60 units per pixel and
//     does not grow with the window size.
//
// Converting the input to 8-bit channels is not counted.
type Stats struct {
	Units int64
	// CPU is the summed thread CPU time of the goroutines that did the work.
	CPU time.Duration
}

// ErrEmptyImage is returned for a nil image or one without pixels.
var ErrEmptyImage = errors.New("empty image")

func checkInput(img image.Image, o Options) (w, h int, err error) {
	if o.Threads < 0 {
		return 0, 0, fmt.Errorf("threads must be >= 0, got %d", o.Threads)
	}
	if img == nil {
		return 0, 0, ErrEmptyImage
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return 0, 0, fmt.Errorf("%w: %dx%d", ErrEmptyImage, b.Dx(), b.Dy())
	}
	return b.Dx(), b.Dy(), nil
}

// strips returns the number of strips of at most size rows that cover h rows.
func strips(h, size int) int { return (h + size - 1) / size }

// stripRows returns the rows [y0, y1) of strip i.
func stripRows(i, size, h int) (y0, y1 int) {
	y0 = i * size
	return y0, min(y0+size, h)
}

func sum64(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}
