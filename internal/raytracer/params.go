package raytracer

import (
	"errors"
	"fmt"
)

// maxThreads bounds Params.Threads; more goroutines than this cannot help.
const maxThreads = 4096

// Params are the render parameters of one request, with the meaning of the
// original's HTTP query parameters.
//
// The camera always spans the whole scene of SCols x SRows pixels; the
// output image is the window of WCols x WRows pixels. Output pixel (c, r),
// r counted from the top, is traced through scene column c+COff and scene
// row WRows-1-(r+ROff), scene row 0 being the bottom of the scene. This is
// the original's HTTP semantics: ROff is used as given (the original's
// command line negated it), and the row formula uses WRows, not SRows, so a
// window smaller than the scene with ROff 0 shows the scene's bottom rows,
// and a positive ROff moves the window further down, past the scene's
// bottom edge.
type Params struct {
	SCols, SRows int // scene size in pixels (camera resolution)
	WCols, WRows int // window (output image) size in pixels
	COff, ROff   int // window offsets, see above
	AA           bool
	Threads      int // goroutines to render with; 0 = all cores
}

// Validate reports every problem with p under lim, each naming its field.
//
// Sizes must be positive, the window no larger than the scene
// (WCols <= SCols, WRows <= SRows, as the original documents), and both
// areas within lim.MaxPixels. Offsets may be negative (with the HTTP
// semantics a negative ROff is what moves a window up into the scene's
// upper part) but must stay within one scene size:
// -SCols <= COff <= SCols and -SRows <= ROff <= SRows. Those bounds contain
// every offset the original documents, in both its command-line and HTTP
// sign conventions.
func (p Params) Validate(lim Limits) error {
	var errs []error
	positive := func(name string, v int) bool {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be positive, got %d", name, v))
			return false
		}
		return true
	}
	sc := positive("scols", p.SCols)
	sr := positive("srows", p.SRows)
	wc := positive("wcols", p.WCols)
	wr := positive("wrows", p.WRows)
	area := func(name string, a, b int) {
		if int64(a) > lim.MaxPixels || int64(b) > lim.MaxPixels || int64(a)*int64(b) > lim.MaxPixels {
			errs = append(errs, fmt.Errorf("%s: %dx%d pixels is above the limit of %d pixels", name, a, b, lim.MaxPixels))
		}
	}
	if sc && sr {
		area("scols*srows", p.SCols, p.SRows)
	}
	if wc && wr {
		area("wcols*wrows", p.WCols, p.WRows)
	}
	if sc && wc && p.WCols > p.SCols {
		errs = append(errs, fmt.Errorf("wcols: window width %d is larger than the scene width scols=%d", p.WCols, p.SCols))
	}
	if sr && wr && p.WRows > p.SRows {
		errs = append(errs, fmt.Errorf("wrows: window height %d is larger than the scene height srows=%d", p.WRows, p.SRows))
	}
	if sc && (p.COff < -p.SCols || p.COff > p.SCols) {
		errs = append(errs, fmt.Errorf("coff: %d is outside [-scols, scols] = [%d, %d]", p.COff, -p.SCols, p.SCols))
	}
	if sr && (p.ROff < -p.SRows || p.ROff > p.SRows) {
		errs = append(errs, fmt.Errorf("roff: %d is outside [-srows, srows] = [%d, %d]", p.ROff, -p.SRows, p.SRows))
	}
	if p.Threads < 0 || p.Threads > maxThreads {
		errs = append(errs, fmt.Errorf("threads: must be in [0, %d] (0 = all cores), got %d", maxThreads, p.Threads))
	}
	return errors.Join(errs...)
}
