package codec

import (
	"errors"
	"strings"
	"testing"
)

func TestContentTypeAndFormatFromPath(t *testing.T) {
	tests := []struct {
		path, format, contentType string
	}{
		{"a/b/out.jpg", "jpg", "image/jpeg"},
		{"OUT.JPEG", "jpeg", "image/jpeg"},
		{"x.png", "png", "image/png"},
		{"x.Bmp", "bmp", "image/bmp"},
		{"x.gif", "gif", "image/gif"},
	}
	for _, tc := range tests {
		f, err := FormatFromPath(tc.path)
		if err != nil || f != tc.format {
			t.Errorf("FormatFromPath(%q) = %q, %v; want %q", tc.path, f, err, tc.format)
		}
		if ct := ContentType(f); ct != tc.contentType {
			t.Errorf("ContentType(%q) = %q, want %q", f, ct, tc.contentType)
		}
	}
	for _, p := range []string{"x.webp", "noext", "dir.png/file"} {
		if _, err := FormatFromPath(p); !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("FormatFromPath(%q): %v, want ErrUnsupportedFormat", p, err)
		}
	}
	if ct := ContentType("tiff"); ct != "application/octet-stream" {
		t.Errorf("ContentType(tiff) = %q", ct)
	}
	for _, f := range Formats {
		if err := CheckFormat(f); err != nil {
			t.Errorf("CheckFormat(%q): %v", f, err)
		}
	}
	for _, f := range []string{"webp", "PNG", ""} {
		if err := CheckFormat(f); !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), "jpg, jpeg, png, bmp, gif") {
			t.Errorf("CheckFormat(%q) = %v, want ErrUnsupportedFormat naming the formats", f, err)
		}
	}
}
