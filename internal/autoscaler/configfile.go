package autoscaler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// MaxConfigFileSize bounds the size of a configuration file.
const MaxConfigFileSize = 1 << 20

// LoadFile reads a YAML file and overlays it on Default(). Keys are the
// yaml tags of Config; durations are strings such as "2s" or "1m30s"; an
// unknown key is an error. The result is not validated, so that flags can
// still be overlaid: call Validate when the configuration is complete.
func LoadFile(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("autoscaler config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigFileSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("autoscaler config %s: %w", path, err)
	}
	if len(data) > MaxConfigFileSize {
		return Config{}, fmt.Errorf("autoscaler config %s: larger than %d bytes", path, MaxConfigFileSize)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("autoscaler config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse overlays one YAML document on Default(), as LoadFile does. An empty
// document gives the defaults.
func Parse(data []byte) (Config, error) {
	cfg := Default()
	if len(data) > MaxConfigFileSize {
		return Config{}, fmt.Errorf("larger than %d bytes", MaxConfigFileSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return Default(), nil
		}
		return Config{}, fmt.Errorf("parse yaml: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, errors.New("parse yaml: more than one document")
	}
	return cfg, nil
}
