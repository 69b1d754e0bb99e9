package main

import "github.com/spf13/pflag"

// windowFlags are the ray tracer's scene size, window and anti-aliasing
// flags, shared by vfx raytrace and vfx request raytrace.
type windowFlags struct {
	scols, srows, wcols, wrows, coff, roff int
	aa                                     bool
}

func (w *windowFlags) bind(f *pflag.FlagSet) {
	f.IntVar(&w.scols, "scols", 400, "scene width in pixels (camera resolution)")
	f.IntVar(&w.srows, "srows", 300, "scene height in pixels")
	f.IntVar(&w.wcols, "wcols", 0, "window (output) width in pixels (default --scols)")
	f.IntVar(&w.wrows, "wrows", 0, "window (output) height in pixels (default --srows)")
	f.IntVar(&w.coff, "coff", 0, "window column offset")
	f.IntVar(&w.roff, "roff", 0, "window row offset, with the HTTP API's meaning (not negated)")
	f.BoolVar(&w.aa, "aa", false, "anti-aliasing: 4 rays per pixel")
}

// window returns the window size, the whole scene when it was not given.
func (w *windowFlags) window() (cols, rows int) {
	cols, rows = w.wcols, w.wrows
	if cols == 0 {
		cols = w.scols
	}
	if rows == 0 {
		rows = w.srows
	}
	return cols, rows
}
