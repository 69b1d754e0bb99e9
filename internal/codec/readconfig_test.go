package codec

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"
)

// pieces reads data in pieces of the given sizes, cycling through them.
type pieces struct {
	data  []byte
	sizes []byte
	i     int
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(p.sizes) > 0 {
		n = int(p.sizes[p.i%len(p.sizes)]) + 1
		p.i++
	}
	n = copy(b[:min(n, len(b))], p.data)
	p.data = p.data[n:]
	return n, nil
}

// oneScanPass counts a JPEG's SOS markers in one pass over the whole
// stream: the reference the streaming counter must agree with.
func oneScanPass(d []byte) int {
	n := 0
	i := 2
	for i+3 < len(d) {
		if d[i] != 0xff {
			i++
			continue
		}
		m := d[i+1]
		switch {
		case m == 0xff:
			i++
			continue
		case m == 0x00 || m >= 0xd0 && m <= 0xd7 || m == 0x01:
			i += 2
			continue
		case m == 0xd9:
			return n
		}
		if m == 0xda {
			n++
		}
		i += 2 + (int(d[i+2])<<8 | int(d[i+3]))
	}
	return n
}

func addScanSeeds(f *testing.F) {
	tiny := tinyImages(f)
	f.Add(tiny["jpeg"], []byte{0})
	f.Add(manyScans(tiny["jpeg"], 300), []byte{2, 7, 0, 200})
	f.Add([]byte{0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xda, 0x00, 0x00, 0xff, 0xd9}, []byte{1})
	f.Add(tiny["png"], []byte{3})
}

// FuzzJPEGScans: the scan count of a stream written in pieces is the
// count of one pass over the whole stream.
func FuzzJPEGScans(f *testing.F) {
	addScanSeeds(f)
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		var s jpegScans
		if _, err := io.Copy(&s, &pieces{data: data, sizes: sizes}); err != nil {
			t.Fatal(err)
		}
		if want := oneScanPass(data); s.n != want {
			t.Fatalf("%d scans counted in pieces %v, %d in one pass", s.n, sizes, want)
		}
	})
}

// FuzzReadConfig: ReadConfig over a stream read in pieces gives what
// DecodeConfig gives on the same bytes, error included.
func FuzzReadConfig(f *testing.F) {
	addScanSeeds(f)
	f.Add(pngHeader(5000, 5000), []byte{5})
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		lim := Limits{MaxPixels: 1 << 16, MaxBytes: 1 << 20}
		want, wantFormat, wantErr := DecodeConfig(data, lim)
		got, format, err := ReadConfig(&pieces{data: data, sizes: sizes}, int64(len(data)), lim)
		if got != want || format != wantFormat || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("ReadConfig %v %q %v; DecodeConfig %v %q %v", got, format, err, want, wantFormat, wantErr)
		}
	})
}

// TestReadConfigReadsOnlyTheHeader: but for a JPEG, whose scans are
// counted, ReadConfig leaves the pixels unread.
func TestReadConfigReadsOnlyTheHeader(t *testing.T) {
	big := pngHeader(100, 100)
	big = append(big, bytes.Repeat([]byte{0}, 1<<20)...)
	r := bytes.NewReader(big)
	if _, _, err := ReadConfig(r, int64(len(big)), DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	if read := int64(len(big)) - int64(r.Len()); read > 8192 {
		t.Errorf("read %d bytes of a PNG to find its header, want at most 8 KiB", read)
	}
	// A reader that fails after the header is not read further.
	r2 := io.MultiReader(bytes.NewReader(pngHeader(100, 100)), iotest.ErrReader(io.ErrUnexpectedEOF))
	if _, _, err := ReadConfig(r2, int64(len(big)), DefaultLimits()); err != nil {
		t.Errorf("a PNG whose pixels cannot be read: %v", err)
	}
}

// TestReadHeaderReadsOnlyTheHeader: ReadHeader leaves a JPEG's scans
// unread too, and gives ReadConfig's config and format; a JPEG of too many
// scans is left to ReadConfig (and Decode) to refuse.
func TestReadHeaderReadsOnlyTheHeader(t *testing.T) {
	jpg, err := os.ReadFile("testdata/s444.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, wantFormat, err := ReadConfig(bytes.NewReader(jpg), int64(len(jpg)), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	big := append(append([]byte(nil), jpg...), bytes.Repeat([]byte{0}, 1<<20)...)
	r := bytes.NewReader(big)
	cfg, format, err := ReadHeader(r, int64(len(big)), DefaultLimits())
	if err != nil || cfg != want || format != wantFormat {
		t.Fatalf("ReadHeader: %+v %q %v, want %+v %q", cfg, format, err, want, wantFormat)
	}
	if read := int64(len(big)) - int64(r.Len()); read > 8192 {
		t.Errorf("read %d bytes of a JPEG to find its header, want at most 8 KiB", read)
	}
	many := manyScans(tinyImages(t)["jpeg"], maxJPEGScans+1)
	if _, _, err := ReadHeader(bytes.NewReader(many), int64(len(many)), DefaultLimits()); err != nil {
		t.Errorf("ReadHeader of a JPEG of many scans: %v, want no error (its scans are not counted)", err)
	}
	if _, _, err := ReadConfig(bytes.NewReader(many), int64(len(many)), DefaultLimits()); !errors.Is(err, ErrNotImage) {
		t.Errorf("ReadConfig of a JPEG of many scans: %v, want ErrNotImage", err)
	}
}
