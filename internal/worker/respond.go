package worker

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"mime"
	"net/http"
	"strings"

	"github.com/specialvfx/vfx/internal/codec"
)

// rawFormats are the formats a client may ask for by media type.
var rawFormats = []string{"bmp", "png", "jpeg", "gif"}

// negotiate returns the format of a raw image response, or "" for the
// original's data-URL response. A client gets raw bytes with ?output=raw
// (in the native format) or with an Accept header naming image/* (native
// format) or one of image/bmp, image/png, image/jpeg, image/gif (the native
// format if it is among them, else the first one named).
func negotiate(r *http.Request, q map[string]string, native string) string {
	switch strings.ToLower(q["output"]) {
	case "raw":
		return native
	case "dataurl", "data-url":
		return ""
	}
	nativeType := codec.ContentType(native)
	first := ""
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
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

// encodeResponse encodes img in format and returns the body and its
// Content-Type: the raw image if raw, else the data URL
// "data:image/<format>;base64,<...>" of the original system.
func encodeResponse(img image.Image, format string, raw bool) ([]byte, string, error) {
	var buf bytes.Buffer
	if err := codec.Encode(&buf, img, format); err != nil {
		return nil, "", fmt.Errorf("encode %s: %w", format, err)
	}
	if raw {
		return buf.Bytes(), codec.ContentType(format), nil
	}
	prefix := "data:image/" + format + ";base64,"
	out := make([]byte, len(prefix)+base64.StdEncoding.EncodedLen(buf.Len()))
	copy(out, prefix)
	base64.StdEncoding.Encode(out[len(prefix):], buf.Bytes())
	return out, "text/plain; charset=us-ascii", nil
}
