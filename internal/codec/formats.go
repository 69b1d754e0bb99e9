package codec

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Formats lists the supported format names, as they appear in data URLs and
// file extensions.
var Formats = []string{"jpg", "jpeg", "png", "bmp", "gif"}

// CheckFormat returns nil if format is one of Formats (lower-case, as
// given), and otherwise an error wrapping ErrUnsupportedFormat that names
// the supported ones.
func CheckFormat(format string) error {
	if slices.Contains(Formats, format) {
		return nil
	}
	return fmt.Errorf("%w %q (supported: %s)", ErrUnsupportedFormat, format, strings.Join(Formats, ", "))
}

// ContentType returns the MIME type of a format name: image/jpeg for jpg
// and jpeg, image/png, image/bmp, image/gif, or application/octet-stream
// for anything else.
func ContentType(format string) string {
	switch strings.ToLower(format) {
	case "jpg", "jpeg":
		return "image/jpeg"
	case "png", "bmp", "gif":
		return "image/" + strings.ToLower(format)
	}
	return "application/octet-stream"
}

// FormatFromPath returns the format named by a file's extension, lower-cased
// (jpg, jpeg, png, bmp or gif).
func FormatFromPath(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if ext == "" {
		return "", fmt.Errorf("%w: %q has no extension (want one of %s)", ErrUnsupportedFormat, path, strings.Join(Formats, ", "))
	}
	if err := CheckFormat(ext); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return ext, nil
}
