package raytracer

import (
	"context"
	"errors"
	"image"
	"image/color"
	"testing"
)

// fuzzLimits keep what a fuzzed scene may ask for small, so that rendering
// whatever parses stays fast.
var fuzzLimits = Limits{
	MaxPixels:       64,
	MaxSceneBytes:   1 << 16,
	MaxShapes:       32,
	MaxLights:       8,
	MaxTexmapPixels: 1 << 12,
}

func addSeedScenes(f *testing.F, add func(scene []byte)) {
	for _, b := range seedScenes(f) {
		add(b)
	}
	add([]byte(tinyScene))
	add([]byte("0 0 0 0 0 -1 0 1 0 30 1 0 0 0 1 1 1 1 0 0 1 gradient 0 0 0 1 1 1 1 0 0 0 0 1 1 .4 .6 .7 500 .5 .5 1.5 3 " +
		"0 0 triangle -1 -1 -5 1 -1 -5 0 1 -5 0 0 plane 0 0 1 9 0 0 sphere 0 0 -7 1"))
}

// renderSmall renders a parsed scene at 8x6 to find panics in the renderer.
func renderSmall(t *testing.T, s *Scene) {
	for _, aa := range []bool{false, true} {
		img, _, err := Render(context.Background(), s, Params{SCols: 8, SRows: 6, WCols: 8, WRows: 6, COff: 0, ROff: 1, AA: aa, Threads: 1})
		if err != nil {
			t.Fatalf("rendering a parsed scene: %v", err)
		}
		if img.Bounds() != image.Rect(0, 0, 8, 6) {
			t.Fatalf("image bounds %v", img.Bounds())
		}
	}
}

// FuzzParseScene checks that no scene text makes the parser or the renderer
// panic or hang, and that every error is a scene error.
func FuzzParseScene(f *testing.F) {
	addSeedScenes(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := ParseScene(src, nil, fuzzLimits)
		if err != nil {
			if s != nil {
				t.Fatal("a scene and an error")
			}
			if !isSceneError(err) {
				t.Fatalf("error %q wraps no known sentinel", err)
			}
			return
		}
		renderSmall(t, s)
	})
}

// FuzzParseSceneTexmap fuzzes the scene and the texture together.
func FuzzParseSceneTexmap(f *testing.F) {
	tex := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	for i := range tex.Pix {
		tex.Pix[i] = uint8(i * 37)
	}
	tex.SetNRGBA(0, 0, color.NRGBA{1, 2, 3, 0})
	var texmaps [][]byte
	for _, e := range texmapEncoders {
		texmaps = append(texmaps, e.encode(f, tex))
	}
	texScene := []byte("0 0 0 0 0 -1 0 1 0 30 2 0 0 0 1 1 1 1 0 0 5 5 5 1 1 1 1 0 0 1 texmap x.bmp .1 .2 0 -3.5 0 .3 .1 7 " +
		"1 .4 .6 .7 500 0 0 0 1 0 0 sphere 0 0 -7 3")
	i := 0
	addSeedScenes(f, func(b []byte) {
		f.Add(b, texmaps[i%len(texmaps)])
		i++
	})
	for _, tm := range texmaps {
		f.Add(texScene, tm)
	}
	f.Fuzz(func(t *testing.T, src, texmap []byte) {
		s, err := ParseScene(src, texmap, fuzzLimits)
		assertHeaderParseAgrees(t, src, texmap, fuzzLimits, s, err)
		if err != nil {
			if !isSceneError(err) {
				t.Fatalf("error %q wraps no known sentinel", err)
			}
			return
		}
		renderSmall(t, s)
	})
}

// assertHeaderParseAgrees checks ParseSceneHeader against what ParseScene
// gave (full, fullErr) for the same input: the same error, or the same
// scene once DecodeTexture has given the same result.
func assertHeaderParseAgrees(t *testing.T, src, texmap []byte, lim Limits, full *Scene, fullErr error) {
	t.Helper()
	s, err := ParseSceneHeader(src, headerOf(texmap), lim)
	if err != nil {
		if fullErr == nil || err.Error() != fullErr.Error() {
			t.Fatalf("ParseSceneHeader: %v; ParseScene: %v", err, fullErr)
		}
		return
	}
	if s.tex != nil && s.tex.img == nil {
		if _, _, err := Render(context.Background(), s, Params{SCols: 2, SRows: 2, WCols: 2, WRows: 2}); err == nil {
			t.Fatal("a scene without its texture's pixels renders")
		}
	}
	err = s.DecodeTexture(texmap)
	if (err == nil) != (fullErr == nil) || err != nil && err.Error() != fullErr.Error() {
		t.Fatalf("ParseSceneHeader and DecodeTexture: %v; ParseScene: %v", err, fullErr)
	}
	if err == nil && s.Info() != full.Info() {
		t.Fatalf("header parse %+v, full parse %+v", s.Info(), full.Info())
	}
}

func isSceneError(err error) bool {
	for _, target := range []error{ErrScene, ErrTexmap, ErrLimit, ErrNeedsTexmap} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
