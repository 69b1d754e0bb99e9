package wire

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"mime"
	"strings"

	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/dataurl"
)

// rawFormats are the formats a client may ask for by media type.
var rawFormats = []string{"bmp", "png", "jpeg", "gif"}

// Negotiate returns the format of a raw image answer, or "" for the
// original's data-URL answer, from the request's raw query string, its
// Accept header and native, the format the workload produces (bmp for the
// ray tracer, the request's format for blur and enhance). A client gets raw
// bytes with ?output=raw (in the native format) or with an Accept header
// naming image/* (native format) or one of image/bmp, image/png,
// image/jpeg, image/gif (the native format if it is among them, else the
// first one named); ?output=dataurl keeps the data URL whatever Accept
// says.
func Negotiate(rawQuery, accept, native string) string {
	switch strings.ToLower(parseQuery(rawQuery)["output"]) {
	case "raw":
		return native
	case "dataurl", "data-url":
		return ""
	}
	nativeType := codec.ContentType(native)
	first := ""
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch {
		case mt == "image/*" || mt == nativeType:
			return native
		case strings.HasPrefix(mt, "image/") && first == "":
			for _, f := range rawFormats {
				if codec.ContentType(f) == mt {
					first = f
				}
			}
		}
	}
	return first
}

// dataURLType is the Content-Type of a data-URL answer.
const dataURLType = "text/plain; charset=us-ascii"

// EncodeResponse encodes img as the answer to a compute request and returns
// the body and its Content-Type: the original's data URL
// "data:image/<native>;base64,<...>" when raw is "", else the image's bytes
// in format raw (what Negotiate chose) with its media type.
func EncodeResponse(img image.Image, native, raw string) (body []byte, contentType string, err error) {
	format := native
	if raw != "" {
		format = raw
	}
	var buf bytes.Buffer
	if err := codec.Encode(&buf, img, format); err != nil {
		return nil, "", fmt.Errorf("encode %s: %w", format, err)
	}
	if raw != "" {
		return buf.Bytes(), codec.ContentType(format), nil
	}
	prefix := "data:image/" + format + ";base64,"
	out := make([]byte, len(prefix)+base64.StdEncoding.EncodedLen(buf.Len()))
	copy(out, prefix)
	base64.StdEncoding.Encode(out[len(prefix):], buf.Bytes())
	return out, dataURLType, nil
}

// ResponseMemory bounds what EncodeResponse allocates for a w×h image:
// the encoded image (up to 4 bytes a pixel for BMP and PNG) in a buffer
// that grows by doubling, with the copies its growth leaves, and its data
// URL (4/3 of it), 20 bytes a pixel in all, plus the encoders' own state
// (a PNG's deflate tables: about a megabyte, whatever the image's size).
func ResponseMemory(w, h int) int64 {
	return 20*int64(max(w, 0))*int64(max(h, 0)) + 1536<<10
}

// ReadResponse reads the body of a successful answer to a compute request,
// in either form: the raw image when contentType is an image/* type, else
// the original's data URL. asked is the format the request named (bmp for
// the ray tracer): a raw answer of that format keeps its name (jpg for
// image/jpeg). It returns the format's name, in lower case, and the image
// file's bytes.
func ReadResponse(contentType string, body []byte, asked string) (format string, img []byte, err error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if strings.HasPrefix(mt, "image/") {
		return rawFormat(mt, normalFormat(asked)), body, nil
	}
	format, img, err = dataurl.Parse(body)
	if err != nil {
		return "", nil, fmt.Errorf("neither an image nor a data URL: %w", err)
	}
	return format, img, nil
}

// rawFormat names the format of a raw answer of media type mt; asked is
// the format the request named, kept when it is the same format.
func rawFormat(mt, asked string) string {
	if codec.ContentType(asked) == mt {
		return asked
	}
	f := strings.TrimPrefix(mt, "image/")
	if f == "x-ms-bmp" {
		return "bmp"
	}
	return f
}

// ErrorType is the Content-Type of an error answer.
const ErrorType = "text/plain; charset=utf-8"

// ErrorBody is the body of an error answer: msg made one line (OneLine),
// then a newline.
func ErrorBody(msg string) []byte {
	return []byte(OneLine(msg) + "\n")
}

// ErrorMessage reads the message of an error answer: its first non-empty
// line, trimmed ("" for an empty body).
func ErrorMessage(body []byte) string {
	msg := strings.TrimSpace(string(body))
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	return msg
}
