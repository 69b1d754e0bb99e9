package loadgen

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// Bounds of the files a mix reads.
const (
	MaxSceneFile = 1 << 20  // a scene file (the ray tracer's own limit)
	MaxImageFile = 32 << 20 // an image or texture file (the codec's limit)
)

// NewMix reads the files of a validated spec, relative to dir, each file
// once, and builds every item's request once. Every problem is reported,
// each naming the item and the field (and the file). name names the mix.
func NewMix(name string, s Spec, dir string) (*Mix, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	files := fileCache{dir: dir, data: map[string][]byte{}}
	var (
		items []*mixItem
		errs  []error
	)
	for i, it := range s.Items {
		mi, err := it.build(&files)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", it.label(i), err))
			continue
		}
		items = append(items, mi)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return newMix(name, items, s.Burst)
}

// LoadMix reads the spec file at path and builds its mix; the files it
// names are relative to the spec file's directory.
func LoadMix(path string) (*Mix, error) {
	s, err := LoadSpec(path)
	if err != nil {
		return nil, err
	}
	m, err := NewMix(path, s, filepath.Dir(path))
	if err != nil {
		return nil, prefixLines(path, err)
	}
	return m, nil
}

// build reads the item's files and builds its request.
func (it ItemSpec) build(files *fileCache) (*mixItem, error) {
	kind, _ := workload.ParseKind(it.Workload) // Validate checked it
	mi := &mixItem{name: it.Name, kind: kind, weight: it.weight()}
	var err error
	if kind == workload.Raytracer {
		mi.input, mi.about, err = it.raytrace(files)
	} else {
		mi.input, mi.about, err = it.image(kind, files)
	}
	return mi, err
}

func (it ItemSpec) raytrace(files *fileCache) (*Input, string, error) {
	scene, err := files.read(it.Scene, MaxSceneFile)
	if err != nil {
		return nil, "", fmt.Errorf("scene: %w", err)
	}
	var texmap []byte
	if it.Texmap != "" {
		if texmap, err = files.read(it.Texmap, MaxImageFile); err != nil {
			return nil, "", fmt.Errorf("texmap: %w", err)
		}
	}
	p := wire.RaytraceParams{SCols: it.SCols, SRows: it.SRows, WCols: it.WCols, WRows: it.WRows, COff: it.COff, ROff: it.ROff, AA: it.AA}
	if p.WCols == 0 {
		p.WCols = p.SCols
	}
	if p.WRows == 0 {
		p.WRows = p.SRows
	}
	in, err := RaytraceInput(scene, texmap, p)
	if err != nil {
		return nil, "", err
	}
	about := fmt.Sprintf("%s %dx%d", filepath.Base(it.Scene), p.SCols, p.SRows)
	if p.WCols != p.SCols || p.WRows != p.SRows || p.COff != 0 || p.ROff != 0 {
		about += fmt.Sprintf(", window %dx%d at (%d, %d)", p.WCols, p.WRows, p.COff, p.ROff)
	}
	if texmap != nil {
		about += ", texmap " + filepath.Base(it.Texmap)
	}
	if p.AA {
		about += ", aa"
	}
	return in, about, nil
}

func (it ItemSpec) image(kind workload.Kind, files *fileCache) (*Input, string, error) {
	data, err := files.read(it.Image, MaxImageFile)
	if err != nil {
		return nil, "", fmt.Errorf("image: %w", err)
	}
	format := strings.ToLower(it.Format)
	if format == "" {
		if format, err = codec.FormatFromPath(it.Image); err != nil {
			return nil, "", fmt.Errorf("format: %w (give the format of the image with format)", err)
		}
	}
	in, err := ImageInput(kind, format, data)
	if err != nil {
		return nil, "", fmt.Errorf("image %s: %w", files.path(it.Image), err)
	}
	return in, fmt.Sprintf("%s, %s %dx%d", filepath.Base(it.Image), format, in.Features.Width, in.Features.Height), nil
}

// fileCache reads each file once.
type fileCache struct {
	dir  string
	data map[string][]byte
}

func (c *fileCache) path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.dir, name)
}

// read returns the file's bytes, refusing one larger than limit.
func (c *fileCache) read(name string, limit int64) ([]byte, error) {
	p := c.path(name)
	if b, ok := c.data[p]; ok {
		return b, nil
	}
	b, err := readFile(p, limit)
	if err != nil {
		return nil, err
	}
	c.data[p] = b
	return b, nil
}

// readFile reads the file at path, refusing one larger than limit.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // names the path
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than the limit of %d bytes", path, limit)
	}
	return b, nil
}
