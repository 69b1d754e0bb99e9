package codec

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
)

// maxJPEGScans bounds the scans of a progressive JPEG: each scan revisits
// the whole image, so a file of many tiny scans would cost far more time than
// its size suggests. Real encoders write at most a few dozen.
const maxJPEGScans = 256

// Sniff returns the canonical name of the image format data starts with:
// "jpeg", "png", "bmp" or "gif", or "" if it is none of them.
func Sniff(data []byte) string {
	switch {
	case len(data) >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff:
		return "jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif"
	case len(data) >= 14 && data[0] == 'B' && data[1] == 'M':
		return "bmp"
	}
	return ""
}

// DecodeConfig reads the format and dimensions of an encoded image without
// decoding its pixels. It returns ErrTooLarge (with the config) when the
// image exceeds lim, and ErrNotImage when data is not a readable JPEG, PNG,
// BMP or GIF.
func DecodeConfig(data []byte, lim Limits) (image.Config, string, error) {
	return ReadConfig(bytes.NewReader(data), int64(len(data)), lim)
}

// ReadConfig is DecodeConfig for an image of size bytes read from r, so
// that a caller can check an image it never holds whole (one decoded from
// base64 or JSON as it streams). It reads only the header of r, except for
// a JPEG, whose scans it counts to its end. Its checks, errors and results
// are those of DecodeConfig on the same bytes.
func ReadConfig(r io.Reader, size int64, lim Limits) (image.Config, string, error) {
	return readConfig(r, size, lim, true)
}

// ReadHeader is ReadConfig without counting a JPEG's scans: it reads only
// the image's header, whatever its format, with ReadConfig's other checks
// and errors. A JPEG of too many scans is refused by Decode (and
// DecodeConfig, ReadConfig), not by it.
func ReadHeader(r io.Reader, size int64, lim Limits) (image.Config, string, error) {
	return readConfig(r, size, lim, false)
}

func readConfig(r io.Reader, size int64, lim Limits, countScans bool) (image.Config, string, error) {
	lim = lim.orDefault()
	if size <= 0 {
		return image.Config{}, "", fmt.Errorf("%w: no data", ErrNotImage)
	}
	if size > lim.MaxBytes {
		return image.Config{}, "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, size, lim.MaxBytes)
	}
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(int(min(size, sniffLen)))
	format := Sniff(head)
	if format == "" {
		return image.Config{}, "", fmt.Errorf("%w: unknown signature % x (want JPEG, PNG, BMP or GIF)", ErrNotImage, head[:min(len(head), 8)])
	}
	var (
		cfg   image.Config
		scans jpegScans
		src   io.Reader = br
	)
	countScans = countScans && format == "jpeg"
	if countScans {
		// Every byte goes through the scan counter, those the header
		// reader takes as well as the rest.
		src = io.TeeReader(br, &scans)
	}
	err := safely(format, func() (err error) {
		cfg, err = configOf(format, src)
		return err
	})
	if err != nil {
		return image.Config{}, format, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, format, fmt.Errorf("%w: %s with no pixels (%dx%d)", ErrNotImage, format, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > lim.MaxPixels {
		return cfg, format, fmt.Errorf("%w: %dx%d is %d pixels, the limit is %d", ErrTooLarge, cfg.Width, cfg.Height, px, lim.MaxPixels)
	}
	if countScans {
		if _, err := io.Copy(&scans, br); err != nil {
			return cfg, format, fmt.Errorf("%w: reading jpeg: %v", ErrNotImage, err)
		}
		if scans.n > maxJPEGScans {
			return cfg, format, fmt.Errorf("%w: jpeg with %d scans, the limit is %d", ErrNotImage, scans.n, maxJPEGScans)
		}
	}
	return cfg, format, nil
}

// sniffLen is the most of an image's start Sniff looks at.
const sniffLen = 14

// Decode decodes a JPEG, PNG, BMP or GIF image (the first frame of a GIF)
// after checking its header against lim, and returns it with the canonical
// name of the detected format ("jpeg", "png", "bmp" or "gif"). Corrupt or
// truncated data gives an error wrapping ErrNotImage, never a panic.
//
// JPEGs are decoded with the arithmetic of the IJG library that Java's
// ImageIO uses (ISLOW IDCT, fancy upsampling), so their pixels, and the
// blur or enhance of them, are exactly those of the original system. A grey
// JPEG gives *image.Gray, a colour one an opaque *image.RGBA. Variants that
// decoder leaves out (arithmetic coding, 12-bit, CMYK, RGB) go to Go's
// image/jpeg.
func Decode(data []byte, lim Limits) (image.Image, string, error) {
	_, format, err := DecodeConfig(data, lim)
	if err != nil {
		return nil, format, err
	}
	var img image.Image
	err = safely(format, func() (err error) {
		img, err = decodeAs(format, data, lim)
		return err
	})
	if err != nil {
		return nil, format, err
	}
	return img, format, nil
}

func configOf(format string, r io.Reader) (image.Config, error) {
	switch format {
	case "jpeg":
		return jpeg.DecodeConfig(r)
	case "png":
		return png.DecodeConfig(r)
	case "gif":
		return gif.DecodeConfig(r)
	default:
		return bmp.DecodeConfig(r)
	}
}

func decodeAs(format string, data []byte, lim Limits) (image.Image, error) {
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		// IJG-compatible first, so pixels are those the original system saw;
		// Go's decoder for the variants it leaves out (and as a second
		// opinion on data it finds corrupt).
		img, err := decodeIJG(data, lim)
		if err == nil {
			return img, nil
		}
		if img, err2 := jpeg.Decode(r); err2 == nil {
			return img, nil
		}
		return nil, err
	case "png":
		return png.Decode(r)
	case "gif":
		return gif.Decode(r)
	default:
		return bmp.Decode(r)
	}
}

// safely runs a third-party decoder, turning its errors and panics into
// errors that wrap ErrNotImage.
func safely(format string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: corrupt %s (decoder panicked: %v)", ErrNotImage, format, r)
		}
	}()
	if err := f(); err != nil {
		return fmt.Errorf("%w: corrupt %s: %v", ErrNotImage, format, err)
	}
	return nil
}
