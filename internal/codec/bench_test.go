package codec

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// benchJPEG is a 1920×1080 (2-megapixel) 4:2:0 JPEG of quality 90.
func benchJPEG(b *testing.B) []byte {
	b.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for y := 0; y < 1080; y++ {
		for x := 0; x < 1920; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x ^ y), uint8(x * y >> 8), uint8(x + 3*y), 0xff})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func reportMP(b *testing.B) {
	b.ReportMetric(1920*1080*float64(b.N)/b.Elapsed().Seconds()/1e6, "MP/s")
}

// BenchmarkDecodeJPEG decodes a 2-megapixel JPEG with the IJG-compatible
// decoder that Decode uses.
func BenchmarkDecodeJPEG(b *testing.B) {
	data := benchJPEG(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Decode(data, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	reportMP(b)
}

// BenchmarkDecodeJPEGGo is the same with Go's image/jpeg, for comparison.
func BenchmarkDecodeJPEGGo(b *testing.B) {
	data := benchJPEG(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	reportMP(b)
}

// BenchmarkEncodeJPEG encodes a 2-megapixel image at quality 75.
func BenchmarkEncodeJPEG(b *testing.B) {
	img, _, err := Decode(benchJPEG(b), DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Encode(&buf, img, "jpg"); err != nil {
			b.Fatal(err)
		}
	}
	reportMP(b)
}
