package loadgen

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"

	"github.com/specialvfx/vfx/internal/workload"
)

// Preset is a built-in request mix.
type Preset struct {
	Name        string
	Description string
	// NeedsData reports whether the preset reads the seed data.
	NeedsData bool
	load      func(dataDir string) (*Mix, error)
}

//go:embed presets/course.yaml
var courseYAML []byte

// Presets lists the built-in mixes.
func Presets() []Preset {
	return []Preset{
		{
			Name: "course",
			Description: "the original course's test patterns: simple and complex ray traces of the seed scenes " +
				"(test01 400x300; test-texmap with its texture, test04) at several sizes, windows and aa, blurs and " +
				"enhances of airplane.jpg (simple) and horse.jpg (complex); a burst is the course scripts' " +
				"\"complex & simple x4 & complex & simple\" ray traces plus one complex and one simple request of each image workload",
			NeedsData: true,
			load:      courseMix,
		},
		{
			Name: "unseen",
			Description: "inputs the cost model has never seen, none repeated: the seed scenes at random scene sizes, " +
				"windows, offsets and aa; the seed images at random scales and crops, re-encoded as jpg, png or bmp " +
				"(for measuring prediction accuracy on new inputs)",
			NeedsData: true,
			load:      unseenMix,
		},
		{
			Name:        "tiny",
			Description: "the cheapest request, a blur of a 1x1 PNG (for the generator's own throughput)",
			load:        func(string) (*Mix, error) { return tinyMix() },
		},
	}
}

// PresetNames lists the presets' names.
func PresetNames() []string {
	var out []string
	for _, p := range Presets() {
		out = append(out, p.Name)
	}
	return out
}

// FindPreset returns the preset called name.
func FindPreset(name string) (Preset, error) {
	ps := Presets()
	if i := slices.IndexFunc(ps, func(p Preset) bool { return p.Name == name }); i >= 0 {
		return ps[i], nil
	}
	return Preset{}, fmt.Errorf("unknown preset %q: want one of %s", name, strings.Join(PresetNames(), ", "))
}

// Load builds the preset's mix from the seed data in dataDir (unused by a
// preset that needs none). The unseen preset's mix remembers every input
// it drew, so that none repeats: load it afresh for a run that must repeat
// another's sequence from the same seed.
func (p Preset) Load(dataDir string) (*Mix, error) {
	m, err := p.load(dataDir)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", p.Name, err)
	}
	return m, nil
}

func courseMix(dir string) (*Mix, error) {
	s, err := ParseSpec("course.yaml", courseYAML)
	if err != nil {
		return nil, err
	}
	return NewMix("course", s, dir)
}

// TinyPNG is a 1×1 PNG, the smallest image a blur request can carry.
func TinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 200, G: 100, B: 50, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img) // encoding to memory does not fail
	return b.Bytes()
}

func tinyMix() (*Mix, error) {
	in, err := ImageInput(workload.Blur, "png", TinyPNG())
	if err != nil {
		return nil, err
	}
	return newMix("tiny", []*mixItem{{name: "blur-1x1", kind: workload.Blur, weight: 1, about: "a 1x1 PNG", input: in}}, nil)
}
