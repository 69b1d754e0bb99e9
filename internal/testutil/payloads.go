package testutil

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// PNG encodes a w×h RGB gradient as PNG.
func PNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), uint8((x + y) * 7), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BombPNG is the start of a PNG whose header claims w×h pixels: a
// decompression bomb, to be refused from its header.
func BombPNG(w, h uint32) []byte {
	b := pngStart(w, h, 8) // 8-bit RGB
	pngChunk(b, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	return b.Bytes()
}

// TexmapBomb is a valid w×h PNG of 16-bit RGB samples, all zero: about
// a hundred kilobytes that decode to w×h×8 bytes (134 MB at 4096×4096) and
// more for the colours a texture is read as. Its header is within the
// limits when w×h is: only a decoder that reserves memory before decoding
// stands it.
func TexmapBomb(w, h uint32) []byte {
	b := pngStart(w, h, 16) // 16-bit RGB
	// The image data is rows of zeros (filter byte 0, then the samples):
	// a block of rows is compressed once, on its own, and repeated; a
	// deflate block compressed from an empty window refers only to
	// itself, so the copies decode one after the other.
	rowLen := 1 + 6*int64(w)
	zeroRows := func(n uint32) []byte {
		var blk bytes.Buffer
		fw, _ := flate.NewWriter(&blk, flate.BestCompression)
		fw.Write(make([]byte, rowLen*int64(n))) // into memory: no error
		fw.Flush()
		return blk.Bytes()
	}
	const perBlock = 16
	var idat bytes.Buffer
	idat.Write([]byte{0x78, 0xda}) // zlib header
	full := zeroRows(perBlock)
	for range h / perBlock {
		idat.Write(full)
	}
	if h%perBlock > 0 {
		idat.Write(zeroRows(h % perBlock))
	}
	idat.Write([]byte{0x03, 0x00}) // the final, empty block
	// Adler-32 of n zero bytes: a stays 1, b grows by 1 a byte.
	n := rowLen * int64(h)
	binary.Write(&idat, binary.BigEndian, uint32(n%65521)<<16|1)
	pngChunk(b, "IDAT", idat.Bytes())
	pngChunk(b, "IEND", nil)
	return b.Bytes()
}

// pngStart is the signature and IHDR chunk of a w×h RGB PNG of the given
// bit depth.
func pngStart(w, h uint32, depth byte) *bytes.Buffer {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, 2
	pngChunk(&b, "IHDR", ihdr)
	return &b
}

// pngChunk appends a PNG chunk of type typ to b.
func pngChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}

// WrappedDataURL is the data URL of data whose base64 is wrapped at 76
// columns and ends with a newline, as GNU base64 writes it.
func WrappedDataURL(format string, data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	b.WriteString("data:image/" + format + ";base64,")
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}
