package wire

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"io"
	"strings"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/workload"
)

// imageHelp is what an image request body should look like.
const imageHelp = "want a body data:image/<jpg|jpeg|png|bmp|gif>;base64,<base64 of the image file>"

// decodeImage reads the data URL of a blur or enhance request and the
// header of its image, in one pass over the base64 that checks it, decodes
// it and computes the input hash (dataurl.Scan); the image is not held.
// Bad base64 is refused as dataurl.Open refuses it, before anything the
// image's header says.
func decodeImage(kind workload.Kind, body []byte, lim codec.Limits) (*Request, workload.Features, error) {
	f := workload.Features{Kind: kind}
	format, p, err := dataurl.Scan(body)
	if err != nil {
		return nil, f, imageError(err, "")
	}
	h := sha256.New()
	r := p.Reader()
	cfg, encoding, err := codec.ReadConfig(io.TeeReader(r, h), int64(p.Len()), lim)
	if _, rerr := io.Copy(h, r); rerr != nil {
		return nil, f, imageError(rerr, "")
	}
	f.Format, f.InputBytes, f.InputHash = format, p.Len(), hexSum(h)
	f.Width, f.Height = cfg.Width, cfg.Height
	if err != nil {
		return nil, f, imageError(err, "")
	}
	return &Request{Kind: kind, Format: format, Config: cfg, Encoding: encoding, Features: f, payload: p}, f, nil
}

// decodeImageHeader is decodeImage without the input hash: only the start
// of the payload is decoded, as far as the image's header (codec.ReadHeader),
// and its base64 is checked that far. A request it refuses is refused by
// decodeImage, with the same error and features (the hash included).
func decodeImageHeader(kind workload.Kind, body []byte, lim codec.Limits) (*Request, workload.Features, error) {
	f := workload.Features{Kind: kind}
	format, p, err := dataurl.Scan(body)
	if err != nil {
		return nil, f, imageError(err, "")
	}
	r := &errReader{r: p.Reader()}
	cfg, encoding, err := codec.ReadHeader(r, int64(p.Len()), lim)
	if err != nil || r.err != nil {
		return decodeImage(kind, body, lim)
	}
	f.Format, f.InputBytes = format, p.Len()
	f.Width, f.Height = cfg.Width, cfg.Height
	return &Request{Kind: kind, Format: format, Config: cfg, Encoding: encoding, Features: f, payload: p}, f, nil
}

// errReader keeps the error its reader gave, other than io.EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (r *errReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// DecodeImage decodes the pixels of a blur or enhance request's image
// (Request.Image) within lim. An error is a *RequestError with the status
// Decode would give (415, 413 or 400) and a message that starts "decoding
// the image: ".
func DecodeImage(data []byte, lim Limits) (image.Image, error) {
	img, _, err := codec.Decode(data, lim.Image)
	if err != nil {
		return nil, imageError(err, "decoding the image: ")
	}
	return img, nil
}

// imageError maps the data-URL and codec errors to their status: an
// unsupported format is 415, an image beyond the limits 413, anything else
// 400.
func imageError(err error, prefix string) error {
	msg := prefix + err.Error()
	switch {
	case errors.Is(err, codec.ErrUnsupportedFormat):
		return NewError(statusUnsupportedMediaType, msg, err)
	case errors.Is(err, codec.ErrTooLarge):
		return NewError(statusRequestEntityTooLarge, msg, err)
	}
	if !strings.Contains(msg, "want") {
		msg += ": " + imageHelp
	}
	return NewError(statusBadRequest, msg, err)
}

// ImageBody is the body of a blur or enhance request: the data URL
// data:image/<format>;base64,<image>, as the original's clients send it.
// format names the image's format (jpg, jpeg, png, bmp, gif; trimmed and
// lower-cased here); a name that cannot stand in a data URL is an error.
func ImageBody(format string, image []byte) ([]byte, error) {
	format = normalFormat(format)
	if format == "" || strings.ContainsAny(format, ";,/ ") {
		return nil, fmt.Errorf("image format %q: want a name such as jpg, png, bmp or gif", format)
	}
	return []byte(dataurl.String(format, image)), nil
}

// normalFormat is a format name as data URLs carry it: trimmed, lower case.
func normalFormat(format string) string {
	return strings.ToLower(strings.TrimSpace(format))
}
