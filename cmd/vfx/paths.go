package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/metrics"
)

// expandHome replaces a leading "~" of path (alone or before a slash)
// with the user's home directory, as a shell does for a word of its own:
// a path given as --flag=~/x or in a file or environment variable reaches
// vfx unexpanded. "~user" is refused rather than taken as a directory
// named "~user".
func expandHome(path string) (string, error) {
	if !strings.HasPrefix(path, "~") {
		return path, nil
	}
	rest := path[1:]
	if rest != "" && rest[0] != '/' {
		return "", fmt.Errorf("%q: another user's home (~user) is not expanded: write the full path", path)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%q: %w", path, err)
	}
	return filepath.Join(home, rest), nil
}

// resolveStoreURL expands "~" in the path of a sqlite: store URL and,
// with abs, makes a relative path absolute, so that processes started
// elsewhere (the workers) open the same file. Other URLs are returned
// unchanged, "none" included.
func resolveStoreURL(u string, abs bool) (string, error) {
	if strings.EqualFold(u, "none") {
		return "none", nil
	}
	scheme, rest, err := metrics.ParseURL(u)
	if err != nil {
		return "", err
	}
	if scheme != "sqlite" {
		return u, nil
	}
	path, query, _ := strings.Cut(rest, "?")
	if path, err = expandHome(path); err != nil {
		return "", fmt.Errorf("metrics store %w", err)
	}
	if abs && path != "" && !filepath.IsAbs(path) {
		if path, err = filepath.Abs(path); err != nil {
			return "", err
		}
	}
	if query != "" {
		path += "?" + query
	}
	if strings.HasPrefix(path, "//") {
		// metrics.ParseURL takes a leading "//" for the URL's empty
		// authority: keep one in front of a path that starts with "//"
		// so the URL reads back as the same path.
		return "sqlite://" + path, nil
	}
	return "sqlite:" + path, nil
}

// pathValue is the flag type of file and directory paths: a leading "~"
// is expanded (expandHome) when the flag is set.
type pathValue string

// pathVar registers a path flag on fs that sets *p, with *p as its
// default.
func pathVar(fs *pflag.FlagSet, p *string, name, usage string) {
	fs.Var((*pathValue)(p), name, usage)
}

// pathVarP is pathVar with a one-letter shorthand.
func pathVarP(fs *pflag.FlagSet, p *string, name, shorthand, usage string) {
	fs.VarP((*pathValue)(p), name, shorthand, usage)
}

func (v *pathValue) String() string { return string(*v) }

// Set implements pflag.Value.
func (v *pathValue) Set(s string) error {
	if s == "" {
		return errors.New("want a path, not an empty string")
	}
	p, err := expandHome(s)
	if err != nil {
		return err
	}
	*v = pathValue(p)
	return nil
}

// Type implements pflag.Value: the help shows "--state-dir path".
func (v *pathValue) Type() string { return "path" }
