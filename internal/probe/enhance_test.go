package probe

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"github.com/specialvfx/vfx/internal/imageproc"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

func seedImage(tb testing.TB, name string) image.Image {
	tb.Helper()
	img, err := jpeg.Decode(bytes.NewReader(testutil.SeedFile(tb, "imageproc/inputs/"+name)))
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// TestEnhanceEstimates: 32 sampled rows estimate the enhance of seed
// photographs, busy and smooth (whose units per pixel differ by half),
// within 3 %; an image of no more rows than the budget is exact.
func TestEnhanceEstimates(t *testing.T) {
	crop := func(img image.Image, r image.Rectangle) image.Image {
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r)
	}
	for _, tc := range []struct {
		name  string
		img   image.Image
		exact bool
	}{
		{"cat", seedImage(t, "cat.jpg"), false},
		{"dull", seedImage(t, "dull.jpg"), false},
		{"frog strip", crop(seedImage(t, "frog.jpg"), image.Rect(100, 200, 900, 230)), true},
		{"narrow", crop(seedImage(t, "truck.jpg"), image.Rect(10, 10, 70, 400)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, st, err := imageproc.Enhance(context.Background(), tc.img, imageproc.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			want := float64(st.Units)
			r := Enhance(tc.img, Options{})
			if r.Exact != tc.exact || r.Samples > DefaultRows {
				t.Errorf("exact %v with %d rows, want exact %v within %d rows", r.Exact, r.Samples, tc.exact, DefaultRows)
			}
			e := math.Abs(r.Units-want) / want
			if (tc.exact && e != 0) || e > 0.03 {
				t.Errorf("estimate %.0f units, enhance %.0f: %.2f%% off", r.Units, want, 100*e)
			}
		})
	}
}

// TestFeatures: a ray trace is probed from its scene; an enhance only
// with its image decoded and DecodeImages set; blur never.
func TestFeatures(t *testing.T) {
	s := scene(t, "test01.txt")
	p := raytracerParams(200, 150)
	img := seedImage(t, "dull.jpg")
	for _, tc := range []struct {
		name   string
		kind   workload.Kind
		in     Input
		o      Options
		probed bool
	}{
		{"ray trace", workload.Raytracer, Input{Scene: s, Params: p}, Options{}, true},
		{"ray trace without scene", workload.Raytracer, Input{Params: p}, Options{}, false},
		{"enhance, decoding off", workload.Enhance, Input{Image: img}, Options{}, false},
		{"enhance", workload.Enhance, Input{Image: img}, Options{DecodeImages: true}, true},
		{"enhance without image", workload.Enhance, Input{}, Options{DecodeImages: true}, false},
		{"blur", workload.Blur, Input{Image: img}, Options{DecodeImages: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Features(workload.Features{Kind: tc.kind}, tc.in, tc.o)
			if (f.ProbeUnits > 0) != tc.probed {
				t.Errorf("probe units %v, want probed %v", f.ProbeUnits, tc.probed)
			}
		})
	}
}

// BenchmarkEnhanceCosts compares, on a seed photograph (960×639 JPEG),
// what an enhance probe would need (decode the image, then count 32 rows)
// with the enhance itself on one thread: the decode alone is a large
// share of the request, which is why the load balancer does not probe
// enhance requests.
func BenchmarkEnhanceCosts(b *testing.B) {
	data := testutil.SeedFile(b, "imageproc/inputs/cat.jpg")
	img := seedImage(b, "cat.jpg")
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			Enhance(img, Options{})
		}
	})
	b.Run("enhance", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := imageproc.Enhance(context.Background(), img, imageproc.Options{Threads: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
