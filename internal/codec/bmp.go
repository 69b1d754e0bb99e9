package codec

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"image"
	"io"
)

// EncodeBMP writes img as the 24-bit, bottom-up, uncompressed BMP that the
// original system's ImageIO "bmp" writer produced: a 54-byte header
// (BITMAPINFOHEADER), rows padded to 4 bytes, BGR order, zero resolution.
// Grey images are written as 24-bit too.
func EncodeBMP(w io.Writer, img image.Image) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	if width <= 0 || height <= 0 {
		return fmt.Errorf("encode bmp: empty image %dx%d", width, height)
	}
	rowBytes := (width*3 + 3) &^ 3
	imageSize := rowBytes * height
	var hdr [54]byte
	hdr[0], hdr[1] = 'B', 'M'
	binary.LittleEndian.PutUint32(hdr[2:], uint32(54+imageSize))
	binary.LittleEndian.PutUint32(hdr[10:], 54)
	binary.LittleEndian.PutUint32(hdr[14:], 40)
	binary.LittleEndian.PutUint32(hdr[18:], uint32(width))
	binary.LittleEndian.PutUint32(hdr[22:], uint32(height))
	binary.LittleEndian.PutUint16(hdr[26:], 1)
	binary.LittleEndian.PutUint16(hdr[28:], 24)
	binary.LittleEndian.PutUint32(hdr[34:], uint32(imageSize))
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write(hdr[:]); err != nil {
		return fmt.Errorf("encode bmp: %w", err)
	}
	row := make([]byte, rowBytes)
	for y := b.Max.Y - 1; y >= b.Min.Y; y-- {
		switch src := img.(type) {
		case *image.RGBA:
			off := src.PixOffset(b.Min.X, y)
			px := src.Pix[off : off+4*width]
			for x := 0; x < width; x++ {
				row[3*x], row[3*x+1], row[3*x+2] = px[4*x+2], px[4*x+1], px[4*x]
			}
		case *image.Gray:
			off := src.PixOffset(b.Min.X, y)
			px := src.Pix[off : off+width]
			for x := 0; x < width; x++ {
				row[3*x], row[3*x+1], row[3*x+2] = px[x], px[x], px[x]
			}
		default:
			for x := 0; x < width; x++ {
				r, g, bl, _ := img.At(b.Min.X+x, y).RGBA()
				row[3*x], row[3*x+1], row[3*x+2] = byte(bl>>8), byte(g>>8), byte(r>>8)
			}
		}
		if _, err := bw.Write(row); err != nil {
			return fmt.Errorf("encode bmp: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("encode bmp: %w", err)
	}
	return nil
}
