package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// maxConfSize bounds one ld.so.conf file; maxIncludeDepth bounds nested
// includes (and ends include loops).
const (
	maxConfSize     = 1 << 20
	maxIncludeDepth = 8
)

// confEntry is one item of an ld.so.conf file: a directory or the glob
// pattern of an include.
type confEntry struct {
	dir, include string
}

// parseConf parses the content of an ld.so.conf file into its directories
// and include patterns, in order. Comments (#) are dropped; directories
// may be separated by white space, ':' or ',' and may carry an old
// "=TYPE" suffix, which is dropped; hwcap lines and anything that is not
// an absolute path are ignored. Directories are cleaned.
func parseConf(b []byte) []confEntry {
	var entries []confEntry
	for line := range strings.Lines(string(b)) {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.FieldsFunc(line, func(r rune) bool {
			return unicode.IsSpace(r) || r == ':' || r == ','
		})
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "include":
			for _, f := range fields[1:] {
				entries = append(entries, confEntry{include: f})
			}
			continue
		case "hwcap":
			continue
		}
		for _, f := range fields {
			f, _, _ = strings.Cut(f, "=")
			if filepath.IsAbs(f) {
				entries = append(entries, confEntry{dir: filepath.Clean(f)})
			}
		}
	}
	return entries
}

// LoadConf reads the ld.so.conf file at path and the files its include
// lines name (a relative pattern is taken from path's directory; the
// matches of a pattern in name order), and returns every directory they
// list, in order, each once. A missing file lists nothing.
func LoadConf(path string) ([]string, error) {
	var dirs []string
	if err := loadConf(path, 0, &dirs); err != nil {
		return nil, err
	}
	return dirs, nil
}

func loadConf(path string, depth int, dirs *[]string) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%s: includes nested more than %d deep", path, maxIncludeDepth)
	}
	b, err := readBounded(path, maxConfSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range parseConf(b) {
		if e.dir != "" {
			if !slices.Contains(*dirs, e.dir) {
				*dirs = append(*dirs, e.dir)
			}
			continue
		}
		pattern := e.include
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(filepath.Dir(path), pattern)
		}
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return fmt.Errorf("%s: include %s: %w", path, pattern, err)
		}
		for _, m := range matches { // sorted by Glob
			if err := loadConf(m, depth+1, dirs); err != nil {
				return err
			}
		}
	}
	return nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is more than %d bytes", path, limit)
	}
	return b, nil
}
