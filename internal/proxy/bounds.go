package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Bounds are the autoscaler's pool bounds, the body of PUT
// /api/v1/autoscaler.
type Bounds struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// boundsExample is what a body of PUT /api/v1/autoscaler looks like.
const boundsExample = `{"min": 1, "max": 4}`

// ParseBounds reads a JSON object with exactly the integer keys "min" and
// "max". Whether the bounds are acceptable is the autoscaler's to say.
func ParseBounds(b []byte) (Bounds, error) {
	var raw struct {
		Min *int `json:"min"`
		Max *int `json:"max"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Bounds{}, fmt.Errorf("want a JSON object such as %s: %w", boundsExample, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Bounds{}, fmt.Errorf("want one JSON object such as %s, with nothing after it", boundsExample)
	}
	var errs []error
	if raw.Min == nil {
		errs = append(errs, errors.New(`min: missing (both "min" and "max" are required)`))
	}
	if raw.Max == nil {
		errs = append(errs, errors.New(`max: missing (both "min" and "max" are required)`))
	}
	if err := errors.Join(errs...); err != nil {
		return Bounds{}, err
	}
	return Bounds{Min: *raw.Min, Max: *raw.Max}, nil
}
