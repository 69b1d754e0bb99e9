package seedcheck

import "slices"

// seedCopy is one file of the seed data that a package's unit tests read
// from their own testdata/seed.
type seedCopy struct {
	pkg  string // the package's directory, from the repository root
	seed string // the file's path in the seed data
	png  bool   // a BMP render kept as a lossless PNG
}

// copies lists every seed copy of the module. A copy keeps its original's
// path under testdata/seed (with ".png" for ".bmp" when png is set).
var copies = slices.Concat(
	same("internal/codec",
		"imageproc/inputs/airplane.jpg", "imageproc/inputs/bird.jpg", "imageproc/inputs/cat.jpg",
		"imageproc/inputs/dog.jpg", "imageproc/inputs/dull.jpg", "imageproc/inputs/frog.jpg",
		"imageproc/inputs/horse.jpg", "imageproc/inputs/kodim17.jpg", "imageproc/inputs/ship.jpg",
		"imageproc/inputs/truck.jpg",
		"imageproc/expected/airplane_blur.jpg", "imageproc/expected/dull_enhance.jpg",
		"raytracer/generated-goldens/test03_64x48_aa.bmp"),
	same("internal/dataurl",
		"misc/blurimage_request_body_airplane.txt", "imageproc/inputs/airplane.jpg"),
	same("internal/imageproc",
		"imageproc/inputs/airplane.jpg", "imageproc/inputs/dull.jpg",
		"imageproc/expected/airplane_blur.jpg", "imageproc/expected/dull_enhance.jpg"),
	same("internal/raytracer",
		"raytracer/scenes/test01.txt", "raytracer/scenes/test02.txt", "raytracer/scenes/test03.txt",
		"raytracer/scenes/test04.txt", "raytracer/scenes/test05.txt", "raytracer/scenes/test-texmap.txt",
		"raytracer/scenes/wood.txt",
		"imageproc/inputs/cat.jpg"),
	asPNG("internal/raytracer",
		"raytracer/textures/test-texmap.bmp",
		"raytracer/reference-renders/01.bmp", "raytracer/reference-renders/02.bmp",
		"raytracer/reference-renders/03.bmp", "raytracer/reference-renders/04.bmp",
		"raytracer/reference-renders/result.bmp",
		"raytracer/generated-goldens/test01_400x300_aa.bmp",
		"raytracer/generated-goldens/test01_s400x300_w200x150_c0_r0.bmp",
		"raytracer/generated-goldens/test03_400x300.bmp",
		"raytracer/generated-goldens/test03_64x48_aa.bmp",
		"raytracer/generated-goldens/test04_400x300.bmp",
		"raytracer/generated-goldens/test-texmap_400x300_tm-test-texmap.bmp",
		"raytracer/generated-goldens/test-texmap_240x180_tm-cat-jpg.bmp"),
)

func same(pkg string, seeds ...string) []seedCopy {
	out := make([]seedCopy, len(seeds))
	for i, s := range seeds {
		out[i] = seedCopy{pkg: pkg, seed: s}
	}
	return out
}

func asPNG(pkg string, seeds ...string) []seedCopy {
	out := same(pkg, seeds...)
	for i := range out {
		out[i].png = true
	}
	return out
}
