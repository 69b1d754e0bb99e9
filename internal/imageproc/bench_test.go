package imageproc

import (
	"context"
	"image"
	"testing"
	"time"
)

// benchImage is a 1920×1080 (about 2 megapixel) synthetic image.
func benchImage() *image.RGBA { return randomRGBA(1920, 1080, 42) }

// smoothBenchImage is benchImage with large flat areas and gradients, closer
// to a photograph than noise (noise is the worst case for Enhance).
func smoothBenchImage() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for y := 0; y < 1080; y++ {
		for x := 0; x < 1920; x++ {
			o := img.PixOffset(x, y)
			img.Pix[o] = uint8((x*y)>>9 + (x/61)*3)
			img.Pix[o+1] = uint8(x>>3 + y>>4)
			img.Pix[o+2] = uint8(128 + (x-y)>>5)
			img.Pix[o+3] = 0xff
		}
	}
	return img
}

func benchFilter(b *testing.B, img image.Image, threads int, f func(context.Context, image.Image, Options) (Stats, error)) {
	b.Helper()
	px := float64(img.Bounds().Dx() * img.Bounds().Dy())
	var units int64
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := f(context.Background(), img, Options{Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		units = st.Units
		cpu += st.CPU
	}
	b.StopTimer()
	b.ReportMetric(px*float64(b.N)/b.Elapsed().Seconds()/1e6, "MP/s")
	// Megapixels per CPU-second: throughput per core, which stays meaningful
	// when other processes compete for the cores.
	b.ReportMetric(px*float64(b.N)/cpu.Seconds()/1e6, "MP/cpu-s")
	b.ReportMetric(float64(units)/px, "units/px")
}

func blurStats(ctx context.Context, img image.Image, o Options) (Stats, error) {
	_, st, err := Blur(ctx, img, o)
	return st, err
}

func enhanceStats(ctx context.Context, img image.Image, o Options) (Stats, error) {
	_, st, err := Enhance(ctx, img, o)
	return st, err
}

// BenchmarkBlur blurs a 2-megapixel image on all cores and reports MP/s.
func BenchmarkBlur(b *testing.B) { benchFilter(b, benchImage(), 0, blurStats) }

// BenchmarkBlur1 is BenchmarkBlur on one thread.
func BenchmarkBlur1(b *testing.B) { benchFilter(b, benchImage(), 1, blurStats) }

// BenchmarkEnhance enhances a 2-megapixel photograph-like image on all cores.
func BenchmarkEnhance(b *testing.B) { benchFilter(b, smoothBenchImage(), 0, enhanceStats) }

// BenchmarkEnhance1 is BenchmarkEnhance on one thread.
func BenchmarkEnhance1(b *testing.B) { benchFilter(b, smoothBenchImage(), 1, enhanceStats) }

// BenchmarkEnhanceNoise enhances 2 megapixels of noise, the worst case for
// the lazily updated window histogram.
func BenchmarkEnhanceNoise(b *testing.B) { benchFilter(b, benchImage(), 0, enhanceStats) }
