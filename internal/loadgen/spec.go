package loadgen

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/config"
	"github.com/specialvfx/vfx/internal/workload"
)

// Spec is a request mix as a file describes it: its items and, for bursts,
// the items of one burst.
type Spec struct {
	Items []ItemSpec `yaml:"items"`
	// Burst lists the items of one burst, by name (an item may appear
	// several times), for the bursts arrival: each burst sends them all.
	// Without it a burst draws its items by weight.
	Burst []string `yaml:"burst"`
}

// ItemSpec is one item of a Spec: a request and how often it is drawn.
// Paths are relative to the spec file's directory (a preset's: to the
// seed-data directory).
type ItemSpec struct {
	// Name identifies the item in the summary and the trace.
	Name string `yaml:"name"`
	// Workload is raytracer, blur or enhance (workload.ParseKind).
	Workload string `yaml:"workload"`
	// Weight is the item's share of the draws, relative to the others'
	// (default 1; 0: only in bursts).
	Weight *float64 `yaml:"weight"`

	// Ray tracer: the scene file, an optional texture file, the scene size
	// (required), the window (default: the whole scene) and its offsets,
	// anti-aliasing.
	Scene  string `yaml:"scene"`
	Texmap string `yaml:"texmap"`
	SCols  int    `yaml:"scols"`
	SRows  int    `yaml:"srows"`
	WCols  int    `yaml:"wcols"`
	WRows  int    `yaml:"wrows"`
	COff   int    `yaml:"coff"`
	ROff   int    `yaml:"roff"`
	AA     bool   `yaml:"aa"`

	// Blur and enhance: the image file and the format its data URL names
	// (default: from the file's extension).
	Image  string `yaml:"image"`
	Format string `yaml:"format"`
}

// Bounds of a spec.
const (
	MaxItems    = 1000   // items of a spec
	MaxBurstLen = 10_000 // entries of Spec.Burst
	MaxWeight   = 1e6    // an item's weight
	maxNameLen  = 64
)

// namePattern is what an item's name may be: it appears in tables and
// CSV columns as it is.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ParseSpec reads a spec from data (YAML, or JSON, which YAML reads too)
// and validates it. Reading is strict (config.Parse): an unknown key, a
// value of the wrong type or a second document is an error naming the
// line and key; then every problem Validate finds is reported, each naming
// the item and the field. name is the file's name, for the messages.
func ParseSpec(name string, data []byte) (Spec, error) {
	s, err := config.Parse(name, data, Spec{})
	if err != nil {
		return Spec{}, err
	}
	if err := s.Validate(); err != nil {
		return Spec{}, prefixLines(name, err)
	}
	return s, nil
}

// LoadSpec reads and validates the spec file at path (ParseSpec).
func LoadSpec(path string) (Spec, error) {
	s, err := config.Load(path, Spec{})
	if err != nil {
		return Spec{}, err
	}
	if err := s.Validate(); err != nil {
		return Spec{}, prefixLines(path, err)
	}
	return s, nil
}

// prefixLines puts "name: " before every problem of err.
func prefixLines(name string, err error) error {
	var errs []error
	for _, line := range strings.Split(err.Error(), "\n") {
		errs = append(errs, fmt.Errorf("%s: %s", name, line))
	}
	return errors.Join(errs...)
}

// Validate reports every problem of s, each naming the item (its index
// and name) and the field. It reads no file.
func (s Spec) Validate() error {
	var errs []error
	if len(s.Items) == 0 {
		errs = append(errs, errors.New("items: none: a mix needs at least one item"))
	}
	if len(s.Items) > MaxItems {
		errs = append(errs, fmt.Errorf("items: %d items, more than the limit of %d", len(s.Items), MaxItems))
	}
	seen := map[string]int{}
	total := 0.0
	for i, it := range s.Items {
		for _, err := range it.problems() {
			errs = append(errs, fmt.Errorf("%s: %w", it.label(i), err))
		}
		if it.Name != "" {
			if j, dup := seen[it.Name]; dup {
				errs = append(errs, fmt.Errorf("%s: name: %q is also the name of items[%d]", it.label(i), it.Name, j))
			} else {
				seen[it.Name] = i
			}
		}
		if w := it.weight(); w > 0 && w <= MaxWeight {
			total += w
		}
	}
	if len(s.Items) > 0 && total == 0 {
		errs = append(errs, errors.New("items: every weight is 0: at least one item must have a positive weight"))
	}
	if len(s.Burst) > MaxBurstLen {
		errs = append(errs, fmt.Errorf("burst: %d entries, more than the limit of %d", len(s.Burst), MaxBurstLen))
	}
	for i, name := range s.Burst {
		if _, ok := seen[name]; !ok {
			errs = append(errs, fmt.Errorf("burst[%d]: %q is not the name of an item", i, name))
		}
	}
	return errors.Join(errs...)
}

// label names item i in messages: items[2] "blur-horse".
func (it ItemSpec) label(i int) string {
	if it.Name == "" {
		return fmt.Sprintf("items[%d]", i)
	}
	return fmt.Sprintf("items[%d] %q", i, it.Name)
}

// weight is the item's weight, 1 when the spec does not give one.
func (it ItemSpec) weight() float64 {
	if it.Weight == nil {
		return 1
	}
	return *it.Weight
}

// problems lists what is wrong with one item, each naming its field.
func (it ItemSpec) problems() []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	switch {
	case it.Name == "":
		bad("name", "missing: every item needs a name")
	case len(it.Name) > maxNameLen || !namePattern.MatchString(it.Name):
		bad("name", "%q is not 1-%d letters, digits, '.', '_' or '-', starting with a letter or digit", it.Name, maxNameLen)
	case it.Name == "all":
		bad("name", `"all" names the summary's total: choose another name`)
	}
	if w := it.weight(); math.IsNaN(w) || w < 0 || w > MaxWeight {
		bad("weight", "%v is not in [0, %g]", w, MaxWeight)
	}
	kind, err := workload.ParseKind(it.Workload)
	switch {
	case it.Workload == "":
		bad("workload", "missing: want raytracer, blur or enhance")
		return errs
	case err != nil:
		bad("workload", "%v", err)
		return errs
	}
	rayOnly := []struct {
		name string
		set  bool
	}{
		{"scene", it.Scene != ""}, {"texmap", it.Texmap != ""},
		{"scols", it.SCols != 0}, {"srows", it.SRows != 0}, {"wcols", it.WCols != 0}, {"wrows", it.WRows != 0},
		{"coff", it.COff != 0}, {"roff", it.ROff != 0}, {"aa", it.AA},
	}
	if kind != workload.Raytracer {
		for _, f := range rayOnly {
			if f.set {
				bad(f.name, "applies to raytracer items only (this one is %s)", kind)
			}
		}
		if it.Image == "" {
			bad("image", "missing: a %s item needs an image file", kind)
		}
		if f := strings.ToLower(it.Format); f != "" {
			if err := codec.CheckFormat(f); err != nil {
				bad("format", "%v", err)
			}
		}
		return errs
	}
	if it.Image != "" {
		bad("image", "applies to blur and enhance items only (this one is raytracer)")
	}
	if it.Format != "" {
		bad("format", "applies to blur and enhance items only (this one is raytracer)")
	}
	if it.Scene == "" {
		bad("scene", "missing: a raytracer item needs a scene file")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"scols", it.SCols}, {"srows", it.SRows}} {
		if f.v <= 0 {
			bad(f.name, "%d: want the scene size in pixels, a positive integer", f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"wcols", it.WCols}, {"wrows", it.WRows}} {
		if f.v < 0 {
			bad(f.name, "%d is negative (0: the whole scene)", f.v)
		}
	}
	return errs
}
