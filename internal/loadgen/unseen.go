package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync"

	"golang.org/x/image/draw"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// The ranges the unseen preset draws from.
const (
	unseenMinCols, unseenMaxCols = 16, 640 // scene width
	unseenMinRows, unseenMaxRows = 12, 480 // scene height
	unseenAA                     = 0.25    // share of anti-aliased renders
	unseenMinScale               = 0.25    // image scale
	unseenMaxScale               = 1.25
	unseenMinCrop                = 0.3 // a crop keeps at least this share of each side
	unseenMinSide                = 8   // pixels of a generated image's side
	maxRedraws                   = 1000
)

// unseenFormats are the formats a generated image is encoded in, with
// their shares.
var unseenFormats = []struct {
	name  string
	share float64
}{{"jpg", 0.6}, {"png", 0.3}, {"bmp", 0.1}}

// unseenScene is a seed scene with its texture and its request body
// (the body does not depend on the render parameters, which are in the
// query).
type unseenScene struct {
	name string
	body []byte
}

// rayKey and imageKey identify a drawn input, so that none repeats.
type rayKey struct {
	scene                                  int
	scols, srows, wcols, wrows, coff, roff int
	aa                                     bool
}

type imageKey struct {
	kind               workload.Kind
	image              int
	w, h, x, y, cw, ch int
	format             string
}

// unseenRays draws ray traces of the seed scenes at random scene sizes,
// windows, offsets and anti-aliasing, never the same twice.
type unseenRays struct {
	scenes []unseenScene
	seen   map[rayKey]struct{}
}

func (u *unseenRays) draw(rng *rand.Rand) (func() (*Input, error), error) {
	for range maxRedraws {
		k := rayKey{scene: rng.IntN(len(u.scenes))}
		k.scols = unseenMinCols + rng.IntN(unseenMaxCols-unseenMinCols+1)
		k.srows = unseenMinRows + rng.IntN(unseenMaxRows-unseenMinRows+1)
		k.wcols = 1 + rng.IntN(k.scols)
		k.wrows = 1 + rng.IntN(k.srows)
		k.coff = rng.IntN(k.scols - k.wcols + 1)
		k.roff = rng.IntN(k.srows - k.wrows + 1)
		k.aa = rng.Float64() < unseenAA
		if _, dup := u.seen[k]; dup {
			continue
		}
		u.seen[k] = struct{}{}
		sc := u.scenes[k.scene]
		p := wire.RaytraceParams{SCols: k.scols, SRows: k.srows, WCols: k.wcols, WRows: k.wrows, COff: k.coff, ROff: k.roff, AA: k.aa}
		return func() (*Input, error) {
			in, err := newInput(workload.Raytracer, p.Query(), sc.body, jsonType)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", sc.name, p.Query(), err)
			}
			return in, nil
		}, nil
	}
	return nil, errUnseenExhausted
}

var errUnseenExhausted = errors.New("no unseen input left: every draw repeated an earlier one")

// unseenImages draws the seed images at random scales and crops,
// re-encoded in a random format, never the same twice.
type unseenImages struct {
	kind   workload.Kind
	images []*seedImage
	seen   map[imageKey]struct{}
}

// seedImage is a seed image, read at the start and decoded once, when a
// request first needs it.
type seedImage struct {
	name   string
	data   []byte
	config image.Config
	decode func() (image.Image, error)
}

func newSeedImage(name string, data []byte) (*seedImage, error) {
	cfg, _, err := codec.DecodeConfig(data, codec.DefaultLimits())
	if err != nil {
		return nil, err
	}
	si := &seedImage{name: name, data: data, config: cfg}
	si.decode = sync.OnceValues(func() (image.Image, error) {
		img, _, err := codec.Decode(si.data, codec.DefaultLimits())
		return img, err
	})
	return si, nil
}

func (u *unseenImages) draw(rng *rand.Rand) (func() (*Input, error), error) {
	for range maxRedraws {
		k := imageKey{kind: u.kind, image: rng.IntN(len(u.images))}
		si := u.images[k.image]
		scale := unseenMinScale + rng.Float64()*(unseenMaxScale-unseenMinScale)
		k.w = max(unseenMinSide, int(math.Round(float64(si.config.Width)*scale)))
		k.h = max(unseenMinSide, int(math.Round(float64(si.config.Height)*scale)))
		k.cw = cropSide(rng, k.w)
		k.ch = cropSide(rng, k.h)
		k.x = rng.IntN(k.w - k.cw + 1)
		k.y = rng.IntN(k.h - k.ch + 1)
		k.format = drawFormat(rng)
		if _, dup := u.seen[k]; dup {
			continue
		}
		u.seen[k] = struct{}{}
		return func() (*Input, error) {
			src, err := si.decode()
			var data []byte
			if err == nil {
				data, err = rescale(src, k)
			}
			if err == nil {
				var in *Input
				if in, err = ImageInput(k.kind, k.format, data); err == nil {
					return in, nil
				}
			}
			return nil, fmt.Errorf("%s at %dx%d, crop %dx%d+%d+%d, %s: %w", si.name, k.w, k.h, k.cw, k.ch, k.x, k.y, k.format, err)
		}, nil
	}
	return nil, errUnseenExhausted
}

// cropSide draws the side of a crop of a side of n pixels.
func cropSide(rng *rand.Rand, n int) int {
	lo := max(unseenMinSide, int(math.Ceil(unseenMinCrop*float64(n))))
	if lo >= n {
		return n
	}
	return lo + rng.IntN(n-lo+1)
}

func drawFormat(rng *rand.Rand) string {
	x := rng.Float64()
	for _, f := range unseenFormats {
		if x < f.share {
			return f.name
		}
		x -= f.share
	}
	return unseenFormats[0].name
}

// rescale is src scaled to k.w×k.h, then cropped to k.cw×k.ch at (k.x,
// k.y), encoded in k.format: one (approximate) bilinear resampling of the
// matching part of src.
func rescale(src image.Image, k imageKey) ([]byte, error) {
	b := src.Bounds()
	sx := float64(b.Dx()) / float64(k.w)
	sy := float64(b.Dy()) / float64(k.h)
	part := image.Rect(
		b.Min.X+int(math.Floor(float64(k.x)*sx)), b.Min.Y+int(math.Floor(float64(k.y)*sy)),
		b.Min.X+int(math.Ceil(float64(k.x+k.cw)*sx)), b.Min.Y+int(math.Ceil(float64(k.y+k.ch)*sy)),
	).Intersect(b)
	if part.Empty() {
		return nil, errors.New("empty crop")
	}
	dst := image.NewRGBA(image.Rect(0, 0, k.cw, k.ch))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, part, draw.Src, nil)
	var buf bytes.Buffer
	if err := codec.Encode(&buf, dst, k.format); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Seed-data files of the unseen preset.
var (
	unseenSceneFiles = []struct{ scene, texmap string }{
		{"raytracer/scenes/test01.txt", ""},
		{"raytracer/scenes/test02.txt", ""},
		{"raytracer/scenes/test03.txt", ""},
		{"raytracer/scenes/test04.txt", ""},
		{"raytracer/scenes/test05.txt", ""},
		{"raytracer/scenes/test-texmap.txt", "raytracer/textures/test-texmap.bmp"},
		{"raytracer/scenes/wood.txt", "raytracer/textures/wood.bmp"},
	}
	unseenImageFiles = []string{
		"imageproc/inputs/airplane.jpg", "imageproc/inputs/bird.jpg", "imageproc/inputs/cat.jpg",
		"imageproc/inputs/dark.png", "imageproc/inputs/dog.jpg", "imageproc/inputs/dull.jpg",
		"imageproc/inputs/frog.jpg", "imageproc/inputs/horse.jpg", "imageproc/inputs/kodim17.jpg",
		"imageproc/inputs/ship.jpg", "imageproc/inputs/truck.jpg",
	}
)

// unseenMix reads the seed scenes and images under dir once (an image is
// decoded when a request first needs it, once) and returns the unseen
// preset's mix.
func unseenMix(dir string) (*Mix, error) {
	files := fileCache{dir: dir, data: map[string][]byte{}}
	var errs []error
	rays := &unseenRays{seen: map[rayKey]struct{}{}}
	for _, f := range unseenSceneFiles {
		scene, err := files.read(f.scene, MaxSceneFile)
		var texmap []byte
		if err == nil && f.texmap != "" {
			texmap, err = files.read(f.texmap, MaxImageFile)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rays.scenes = append(rays.scenes, unseenScene{name: filepath.Base(f.scene), body: wire.RaytraceBody(scene, texmap)})
	}
	var images []*seedImage
	for _, f := range unseenImageFiles {
		data, err := files.read(f, MaxImageFile)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		si, err := newSeedImage(filepath.Base(f), data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", files.path(f), err))
			continue
		}
		images = append(images, si)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	imagesOf := func(kind workload.Kind) *unseenImages {
		return &unseenImages{kind: kind, images: images, seen: map[imageKey]struct{}{}}
	}
	aboutRays := fmt.Sprintf("%d seed scenes at %d-%dx%d-%d, random window, offsets, aa for %.0f%%",
		len(rays.scenes), unseenMinCols, unseenMaxCols, unseenMinRows, unseenMaxRows, 100*unseenAA)
	aboutImages := fmt.Sprintf("%d seed images scaled %g-%gx, cropped, as jpg/png/bmp", len(images), unseenMinScale, unseenMaxScale)
	return newMix("unseen", []*mixItem{
		{name: "raytrace", kind: workload.Raytracer, weight: 2, about: aboutRays, gen: rays},
		{name: "blur", kind: workload.Blur, weight: 1, about: aboutImages, gen: imagesOf(workload.Blur)},
		{name: "enhance", kind: workload.Enhance, weight: 1, about: aboutImages, gen: imagesOf(workload.Enhance)},
	}, nil)
}
