package imageproc

import (
	"context"
	"image"
	"runtime"
	"testing"
)

// TestMemoryBoundsWhatFiltersAllocate: BlurMemory and EnhanceMemory are at
// least what Blur and Enhance allocate, garbage included, for images of
// several shapes and thread counts.
func TestMemoryBoundsWhatFiltersAllocate(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {640, 480}, {2000, 30}, {30, 1500}} {
		img := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
		for _, threads := range []int{1, 4} {
			o := Options{Threads: threads}
			for _, f := range []struct {
				name  string
				run   func() error
				bound int64
			}{
				{"blur", func() error { _, _, err := Blur(context.Background(), img, o); return err }, BlurMemory(sz[0], sz[1], o)},
				{"enhance", func() error { _, _, err := Enhance(context.Background(), img, o); return err }, EnhanceMemory(sz[0], sz[1], o)},
			} {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				if err := f.run(); err != nil {
					t.Fatal(err)
				}
				runtime.ReadMemStats(&after)
				// The goroutines and their stacks of instrument.Tasks are
				// not the filter's data: a few kilobytes a thread.
				alloc := int64(after.TotalAlloc-before.TotalAlloc) - int64(threads)*16<<10
				if alloc > f.bound {
					t.Errorf("%s %dx%d with %d threads allocated %d bytes, above its bound %d", f.name, sz[0], sz[1], threads, alloc, f.bound)
				}
			}
		}
	}
}
