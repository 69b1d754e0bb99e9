package dataurl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specialvfx/vfx/internal/codec"
)

func TestParse(t *testing.T) {
	img := []byte("\xff\xd8\xff\xe0 some jpeg bytes \x00\x01\x02\xfe")
	b64 := base64.StdEncoding.EncodeToString(img)
	wrapped := wrap(b64, 76, "\n")
	tests := []struct {
		name       string
		body       string
		wantFormat string
	}{
		{"plain", "data:image/jpg;base64," + b64, "jpg"},
		{"jpeg", "data:image/jpeg;base64," + b64, "jpeg"},
		{"png", "data:image/png;base64," + b64, "png"},
		{"bmp", "data:image/bmp;base64," + b64, "bmp"},
		{"gif", "data:image/gif;base64," + b64, "gif"},
		{"upper-case scheme and type", "DATA:IMAGE/JPG;BASE64," + b64, "jpg"},
		{"wrapped with LF as GNU base64 writes it", "data:image/jpg;base64," + wrapped + "\n", "jpg"},
		{"wrapped with CRLF", "data:image/jpg;base64," + wrap(b64, 64, "\r\n"), "jpg"},
		{"surrounding whitespace", " \r\n\tdata:image/jpg;base64," + b64 + " \n\n", "jpg"},
		{"missing padding", "data:image/jpg;base64," + strings.TrimRight(b64, "="), "jpg"},
		{"extra parameter", "data:image/png;name=x.png;base64," + b64, "png"},
		{"form-encoded body", formEncode("data:image/jpg;base64," + b64), "jpg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			format, data, err := Parse([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if format != tc.wantFormat {
				t.Errorf("format %q, want %q", format, tc.wantFormat)
			}
			if !bytes.Equal(data, img) {
				t.Errorf("data %q, want %q", data, img)
			}
		})
	}
}

func wrap(s string, n int, nl string) string {
	var sb strings.Builder
	for len(s) > n {
		sb.WriteString(s[:n] + nl)
		s = s[n:]
	}
	sb.WriteString(s)
	return sb.String()
}

// formEncode escapes s the way an HTML form (application/x-www-form-urlencoded)
// does.
func formEncode(s string) string {
	var sb strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			sb.WriteByte(c)
		case c == ' ':
			sb.WriteByte('+')
		default:
			sb.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return sb.String()
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		sentinel error
		mention  string
	}{
		{"empty", "", codec.ErrNotImage, "empty"},
		{"not a data url", "hello world", codec.ErrNotImage, "not a data url"},
		{"raw base64 without the prefix", "/9j/4AAQSkZJRg==", codec.ErrNotImage, "not a data url"},
		{"no comma", "data:image/jpg;base64", codec.ErrNotImage, "','"},
		{"not base64", "data:image/jpg,rawbytes", codec.ErrNotImage, "not base64"},
		{"unsupported format", "data:image/webp;base64,AAAA", codec.ErrUnsupportedFormat, "jpg, jpeg, png, bmp, gif"},
		{"not an image type", "data:text/plain;base64,AAAA", codec.ErrUnsupportedFormat, "text/plain"},
		{"no media type", "data:;base64,AAAA", codec.ErrUnsupportedFormat, "text/plain"},
		{"bad character", "data:image/jpg;base64,AAAA*AAA", codec.ErrNotImage, "byte 26"},
		{"bad character after leading space", "  data:image/jpg;base64,AA!A", codec.ErrNotImage, "byte 26"},
		{"space inside base64", "data:image/jpg;base64,AAAA AAAA", codec.ErrNotImage, "byte 26"},
		{"data after padding", "data:image/jpg;base64,AA==AA", codec.ErrNotImage, "after '=' padding"},
		{"too much padding", "data:image/jpg;base64,AA===", codec.ErrNotImage, "padding"},
		{"lone final character", "data:image/jpg;base64,AAAAA", codec.ErrNotImage, "truncated"},
		{"no data", "data:image/jpg;base64,", codec.ErrNotImage, "no image data"},
		{"bad form encoding", "data%3Aimage%2Fjpg%3Bbase64%2C%ZZ", codec.ErrNotImage, "form encoding"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.body))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

func TestParseSeedRequestBody(t *testing.T) {
	// The request body file of the original client scripts: the data URL
	// prefix and GNU base64 of airplane.jpg, wrapped at 76 columns.
	body := readTestdata(t, "seed/misc/blurimage_request_body_airplane.txt")
	format, data, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if format != "jpg" {
		t.Errorf("format %q, want jpg", format)
	}
	if want := readTestdata(t, "seed/imageproc/inputs/airplane.jpg"); !bytes.Equal(data, want) {
		t.Errorf("decoded %d bytes that differ from airplane.jpg (%d bytes)", len(data), len(want))
	}
}

func readTestdata(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestErrBadDataURLIsNotImage keeps the HTTP status of a malformed body that
// of an unreadable image.
func TestErrBadDataURLIsNotImage(t *testing.T) {
	_, _, err := Parse([]byte("hello"))
	if !errors.Is(err, ErrBadDataURL) || !errors.Is(err, codec.ErrNotImage) {
		t.Fatalf("error %v: want ErrBadDataURL matching codec.ErrNotImage", err)
	}
	if errors.Is(err, codec.ErrUnsupportedFormat) || errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("error %v matches another codec sentinel", err)
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, data := range [][]byte{{0}, []byte("ab"), []byte("abc"), bytes.Repeat([]byte{0xff, 0x00, 0x7f}, 1000)} {
		s := String("png", data)
		if !strings.HasPrefix(s, "data:image/png;base64,") {
			t.Fatalf("prefix of %q", s[:30])
		}
		format, got, err := Parse([]byte(s))
		if err != nil || format != "png" || !bytes.Equal(got, data) {
			t.Fatalf("round trip of %d bytes: %q, %d bytes, %v", len(data), format, len(got), err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("data:image/jpg;base64,/9j/4AAQ"))
	f.Add([]byte("data:image/png;base64,iVBORw0KGgo=\r\n"))
	f.Add([]byte("data%3Aimage%2Fgif%3Bbase64%2CR0lGODlh"))
	f.Add([]byte(" DATA:image/bmp;foo=bar;base64,Qk0=\n"))
	f.Add([]byte("data:image/jpg;base64,AA=A"))
	f.Fuzz(func(t *testing.T, body []byte) {
		format, data, err := Parse(body)
		if err != nil {
			if !errors.Is(err, codec.ErrNotImage) && !errors.Is(err, codec.ErrUnsupportedFormat) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if codec.CheckFormat(format) != nil {
			t.Fatalf("accepted unsupported format %q", format)
		}
		if len(data) == 0 || len(data) > len(body) {
			t.Fatalf("decoded %d bytes from a %d-byte body", len(data), len(body))
		}
		// What String builds must parse back to the same thing.
		f2, d2, err := Parse([]byte(String(format, data)))
		if err != nil || f2 != format || !bytes.Equal(d2, data) {
			t.Fatalf("String/Parse round trip: %q %d %v", f2, len(d2), err)
		}
	})
}

// scanWhole is Open by Scan: the data URL scanned, then its payload read
// whole, which checks its characters.
func scanWhole(body []byte) (string, []byte, int, error) {
	format, p, err := Scan(body)
	if err != nil {
		return "", nil, 0, err
	}
	data, err := io.ReadAll(p.Reader())
	if err != nil {
		return "", nil, 0, err
	}
	return format, data, p.Len(), nil
}

// TestScanMatchesOpen: Scan, with its payload read, accepts what Open
// accepts, with the same bytes, and refuses what Open refuses, with the
// same error, for every body of TestParse and TestParseErrors and bad
// characters at each end of a large payload.
func TestScanMatchesOpen(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("scan me \x00\xff"), 5000))
	bodies := []string{
		"data:image/jpg;base64," + b64,
		"data:image/jpg;base64," + wrap(b64, 76, "\r\n"),
		"data:image/jpg;base64,*" + b64,
		"data:image/jpg;base64," + b64[:40000] + "!" + b64[40000:],
		"data:image/jpg;base64," + strings.TrimRight(b64, "=") + "A",
		"data:image/jpg;base64," + b64 + "=",
		"data:image/jpg;base64," + b64[:100] + "=" + b64[100:],
		"data:image/jpg;base64," + b64[:100] + "\n=\n",
		"data:image/jpg;base64,AAAA=\n",
		"data:image/jpg;base64,AA=\r\n=",
		"data:image/jpg;base64,====",
		"data:image/jpg;base64,\n\n",
		formEncode("data:image/jpg;base64,AA*A"),
	}
	bodies = append(bodies, "", "hello world", "data:image/jpg;base64,AAAA*AAA", "  data:image/jpg;base64,AA!A",
		"data:image/jpg;base64,AAAA AAAA", "data:image/jpg;base64,AA==AA", "data:image/jpg;base64,AA===",
		"data:image/jpg;base64,AAAAA", "data:image/jpg;base64,", "data:image/webp;base64,AAAA")
	for i, body := range bodies {
		format, want, err := Parse([]byte(body))
		gotFormat, got, n, serr := scanWhole([]byte(body))
		if fmt.Sprint(err) != fmt.Sprint(serr) {
			t.Errorf("body %d: Open: %v; Scan: %v", i, err, serr)
			continue
		}
		if err == nil && (format != gotFormat || !bytes.Equal(got, want) || n != len(want)) {
			t.Errorf("body %d: Scan gives %q, %d bytes (Len %d); Open %q, %d bytes", i, gotFormat, len(got), n, format, len(want))
		}
	}
}

// FuzzScan: Scan with its payload read agrees with Open on every body.
func FuzzScan(f *testing.F) {
	f.Add([]byte("data:image/jpg;base64,/9j/4AAQ"))
	f.Add([]byte("data:image/png;base64,iVBORw0KGgo=\r\n"))
	f.Add([]byte("data:image/jpg;base64,AA=A"))
	f.Add([]byte("data:image/gif;base64,R0l*GODlh"))
	f.Fuzz(func(t *testing.T, body []byte) {
		format, want, err := Parse(body)
		gotFormat, got, n, serr := scanWhole(body)
		if fmt.Sprint(err) != fmt.Sprint(serr) {
			t.Fatalf("Open: %v; Scan: %v", err, serr)
		}
		if err == nil && (format != gotFormat || !bytes.Equal(got, want) || n != len(want)) {
			t.Fatalf("Scan gives %q, %q (Len %d); Open %q, %q", gotFormat, got, n, format, want)
		}
	})
}
