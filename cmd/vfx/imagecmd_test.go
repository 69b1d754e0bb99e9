package main

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
)

// runImageCmd runs the root command with args and returns its output and error.
func runImageCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, _, err := runRoot(t, args...)
	return out, err
}

func writeTestPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 31)
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImageCommands(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.png")
	writeTestPNG(t, in, 37, 23)
	tests := []struct {
		cmd, out   string
		wantFormat string
		wantGray   bool
	}{
		{"blur", "b.jpg", "jpeg", false},
		{"blur", "b.bmp", "bmp", false},
		{"blur", "b.gif", "gif", false},
		{"enhance", "e.png", "png", true},
		{"enhance", "e.jpeg", "jpeg", true},
	}
	for _, tc := range tests {
		t.Run(tc.cmd+" to "+tc.out, func(t *testing.T) {
			out := filepath.Join(dir, tc.out)
			stderr, err := runImageCmd(t, tc.cmd, in, "-o", out, "--threads", "2")
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			for _, want := range []string{tc.cmd + ":", "37x23", "units", "wall", "cpu"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
				t.Errorf("stderr has %d lines, want 1: %q", n+1, stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			img, format, err := codec.Decode(data, codec.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if format != tc.wantFormat || img.Bounds().Dx() != 37 || img.Bounds().Dy() != 23 {
				t.Errorf("wrote %s %v, want %s 37x23", format, img.Bounds(), tc.wantFormat)
			}
			if _, gray := img.(*image.Gray); tc.wantGray && !gray && format != "gif" {
				t.Errorf("enhance wrote %T, want a grey image", img)
			}
		})
	}
}

func TestImageCommandErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.png")
	writeTestPNG(t, in, 5, 5)
	notImage := filepath.Join(dir, "notes.jpg")
	if err := os.WriteFile(notImage, []byte("just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		mentions string
	}{
		{"missing output", []string{"blur", in}, 2, "missing -o"},
		{"unsupported output extension", []string{"blur", in, "-o", filepath.Join(dir, "x.webp")}, 2, "jpg, jpeg, png, bmp, gif"},
		{"two inputs", []string{"enhance", in, in, "-o", filepath.Join(dir, "x.png")}, 2, "one input file"},
		{"bad threads", []string{"blur", in, "-o", filepath.Join(dir, "x.png"), "--threads", "-3"}, 2, "--threads"},
		{"missing input", []string{"blur", filepath.Join(dir, "nope.png"), "-o", filepath.Join(dir, "x.png")}, 1, "no such file"},
		{"not an image", []string{"enhance", notImage, "-o", filepath.Join(dir, "x.png")}, 1, "not an image"},
		{"too many pixels", []string{"blur", in, "-o", filepath.Join(dir, "x.png"), "--max-pixels", "24"}, 1, "too large"},
		{"too many bytes", []string{"blur", in, "-o", filepath.Join(dir, "x.png"), "--max-bytes", "10"}, 1, "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runImageCmd(t, tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			code := 1
			var ec *exitCodeError
			if errors.As(err, &ec) {
				code = ec.code
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d (%v)", code, tc.code, err)
			}
			if !strings.Contains(err.Error(), tc.mentions) {
				t.Errorf("error %q does not mention %q", err, tc.mentions)
			}
		})
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "x.*")); len(matches) != 0 {
		t.Errorf("failed runs left files: %v", matches)
	}
}
