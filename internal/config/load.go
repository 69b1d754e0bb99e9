package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// MaxSize bounds a configuration file, in bytes.
const MaxSize = 1 << 20

// Load reads the YAML file at path and overlays it on base, as Parse does.
func Load[T any](path string, base T) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		return base, err // names the path
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return base, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data, base)
}

// Parse overlays the YAML document data on base: the keys it has set the
// fields whose yaml tags they are, the others keep base's values. An empty
// document, or one of comments only, gives base. Each problem is reported
// on a line of its own that begins with name (the file's path), then the
// line and key where the YAML has them; on error Parse returns base.
//
// Decoding fills maps, slices and pointers that base already has rather
// than new ones: give a fresh value, such as what a Default function
// returns.
func Parse[T any](name string, data []byte, base T) (T, error) {
	if len(data) > MaxSize {
		return base, fmt.Errorf("%s: larger than %d bytes", name, MaxSize)
	}
	cfg := base
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	switch err := dec.Decode(&cfg); {
	case errors.Is(err, io.EOF):
		return base, nil
	case err != nil:
		return base, locate(err, name, data)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return cfg, nil
	case err != nil:
		return base, fmt.Errorf("%s: after the first document: %w", name, err)
	default:
		return base, fmt.Errorf("%s: line %d: a second YAML document (a configuration file holds one)", name, next.Line)
	}
}
