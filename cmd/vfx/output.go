package main

import (
	"errors"

	"github.com/spf13/pflag"
)

// errMissingOutput is what every command that writes an image says when
// its -o is missing.
var errMissingOutput = errors.New("missing -o OUT: the image file to write (its extension picks the format, e.g. out.png)")

// bindOutput registers -o/--output, the image file a command writes.
func bindOutput(fs *pflag.FlagSet, p *string) {
	pathVarP(fs, p, "output", "o", "image file to write; its extension picks the format (required)")
}

// requireOutput is the usage error of a missing -o.
func requireOutput(out string) error {
	if out == "" {
		return usageError(errMissingOutput)
	}
	return nil
}

// usageError makes err exit with status 2, that of a usage error.
func usageError(err error) error { return &exitCodeError{code: 2, err: err} }
