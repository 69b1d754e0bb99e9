// Package dataurl reads and writes the data URLs that carry images in the
// original system's API: data:image/<format>;base64,<data>, the body of
// /blurimage and /enhanceimage requests and responses. Parse returns the
// format name and the encoded image bytes; Open checks the same but decodes
// nothing: its Payload knows its decoded length and streams the bytes, so a
// caller that only hashes the image and reads its header never holds it
// (NewPayload and ReadPayload check base64 text the same way, from bytes or
// from a stream); String builds a data URL. The image inside is package
// codec's business.
//
// Parsing is tolerant where clients differ (line-wrapped base64, surrounding
// whitespace, missing padding, a form-encoded body) and strict where it
// matters: every failure is an error that says what was wrong and where. A
// malformed data URL wraps ErrBadDataURL, which also matches
// codec.ErrNotImage; a format other than codec.Formats wraps
// codec.ErrUnsupportedFormat. An HTTP layer maps them to 400 and 415.
//
// It decodes no image (it uses codec only for the format names and the
// sentinels) and must not import net/http, os/exec or any cloud SDK.
package dataurl
