package dataurl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// referenceDecode decodes base64 text as NewPayload reads it, with the
// standard library: line breaks and padding removed, then unpadded base64.
func referenceDecode(text []byte) ([]byte, error) {
	clean := strings.NewReplacer("\r", "", "\n", "", "=", "").Replace(string(text))
	return base64.RawStdEncoding.DecodeString(clean)
}

func TestPayload(t *testing.T) {
	data := bytes.Repeat([]byte("\x00\xffpayload bytes\x7f"), 2500) // 42,500 bytes: several stages
	b64 := base64.StdEncoding.EncodeToString(data)
	for _, tc := range []struct {
		name string
		text string
	}{
		{"padded", b64},
		{"unpadded", strings.TrimRight(b64, "=")},
		{"wrapped", wrap(b64, 76, "\n")},
		{"wrapped with CRLF", wrap(b64, 64, "\r\n")},
		{"a line break at every character", wrap(b64, 1, "\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPayload([]byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if p.Len() != len(data) {
				t.Errorf("Len %d, want %d", p.Len(), len(data))
			}
			if !bytes.Equal(p.Bytes(), data) {
				t.Error("Bytes differ from the data")
			}
			streamed, err := io.ReadAll(iotest.OneByteReader(p.Reader()))
			if err != nil || !bytes.Equal(streamed, data) {
				t.Errorf("streamed %d bytes (%v), want the %d of the data", len(streamed), err, len(data))
			}
			// The same text streamed a byte at a time.
			p, err = ReadPayload(func() io.Reader { return iotest.OneByteReader(strings.NewReader(tc.text)) })
			if err != nil || p.Len() != len(data) || !bytes.Equal(p.Bytes(), data) {
				t.Errorf("ReadPayload: %d bytes, %v", p.Len(), err)
			}
		})
	}
	wantErr := errors.New("text unreadable")
	if _, err := ReadPayload(func() io.Reader { return iotest.ErrReader(wantErr) }); !errors.Is(err, wantErr) {
		t.Errorf("ReadPayload of an unreadable text: %v, want its reader's error", err)
	}
	if p := (Payload{}); p.Len() != 0 || len(p.Bytes()) != 0 {
		t.Error("the zero Payload is not empty")
	}
}

// FuzzPayload: what NewPayload accepts decodes, whole or streamed in any
// read size, to what the standard library decodes from the same text.
func FuzzPayload(f *testing.F) {
	f.Add([]byte("QUJD"), uint8(1))
	f.Add([]byte("QU\r\nJ=\n"), uint8(2))
	f.Add([]byte("QQ"), uint8(3))
	f.Add([]byte(wrap(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 5000)), 76, "\n")), uint8(200))
	f.Fuzz(func(t *testing.T, text []byte, size uint8) {
		p, err := NewPayload(text)
		// The text streamed in pieces is checked alike, with the same
		// error at the same offset.
		sp, serr := ReadPayload(func() io.Reader { return iotest.HalfReader(bytes.NewReader(text)) })
		if fmt.Sprint(err) != fmt.Sprint(serr) || sp.Len() != p.Len() {
			t.Fatalf("NewPayload: %d bytes, %v; ReadPayload: %d bytes, %v", p.Len(), err, sp.Len(), serr)
		}
		if err != nil {
			return
		}
		if !bytes.Equal(sp.Bytes(), p.Bytes()) {
			t.Fatalf("ReadPayload decodes %q, NewPayload %q", sp.Bytes(), p.Bytes())
		}
		want, err := referenceDecode(text)
		if err != nil {
			t.Fatalf("NewPayload accepts %q, the standard library does not: %v", text, err)
		}
		if p.Len() != len(want) || !bytes.Equal(p.Bytes(), want) {
			t.Fatalf("Len %d Bytes %q, want %q", p.Len(), p.Bytes(), want)
		}
		r := p.Reader()
		var got []byte
		buf := make([]byte, int(size)+1)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("streamed %q, want %q", got, want)
		}
	})
}
