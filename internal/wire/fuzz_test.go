package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/specialvfx/vfx/internal/dataurl"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// FuzzDecode feeds arbitrary queries and bodies to Decode for each
// workload: it must return a request or a *RequestError with a 4xx status
// and a one-line message, and never panic; the features it returns are the
// request's, or at least name the workload.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), query400, `{"scene": "0 0 0\n0 0 -1\n0 1 0\n30\n1\n0 0 0 1 1 1 1 0 0\n1\nsolid 1 0 0\n1\n0.4 0.6 0 1 0 0 0\n1\n0 0 sphere 0 0 -5 1\n"}`)
	f.Add(uint8(0), "scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0&aa=true", `{"scene": "x", "texmap": [66, 77, 0]}`)
	f.Add(uint8(0), "scols=%38&srows=6", `{"scene": "x", "texmap": "Qk0="}`)
	f.Add(uint8(1), "", dataurl.String("png", testutil.PNG(f, 3, 2)))
	f.Add(uint8(2), "", testutil.WrappedDataURL("png", testutil.PNG(f, 5, 4)))
	f.Add(uint8(1), "", dataurl.String("gif", []byte("GIF89a\x01\x00\x01\x00")))
	f.Add(uint8(2), "", dataurl.String("png", testutil.BombPNG(1<<20, 1<<20)))
	lim := DefaultLimits()
	// Keep each fuzz input cheap to decode.
	lim.Scene.MaxPixels = 1 << 12
	lim.Image.MaxPixels = 1 << 16
	lim.Scene.MaxTexmapPixels = 1 << 16
	f.Fuzz(func(t *testing.T, k uint8, query, body string) {
		kind := workload.Kinds[int(k)%len(workload.Kinds)]
		req, feat, err := Decode(kind, query, []byte(body), lim)
		assertHeaderDecodeAgrees(t, kind, query, []byte(body), lim, feat, err)
		if feat.Kind != kind {
			t.Fatalf("features of %s name %q", kind, feat.Kind)
		}
		if err != nil {
			if req != nil {
				t.Fatalf("request %+v with error %v", req, err)
			}
			st := StatusOf(err)
			if st < 400 || st > 499 {
				t.Fatalf("status %d for %v, want 4xx", st, err)
			}
			msg := err.Error()
			if msg == "" || len(msg) > maxMessage+3 {
				t.Fatalf("message %q: want one line of at most %d bytes", msg, maxMessage)
			}
			for _, r := range msg {
				if r < 0x20 {
					t.Fatalf("message %q has a control character", msg)
				}
			}
			return
		}
		if req.Kind != kind || req.Features != feat || req.Features.InputHash == "" {
			t.Fatalf("request %+v for %s, features returned %+v", req.Features, kind, feat)
		}
		if kind == workload.Raytracer {
			if req.Scene == nil || req.Features.Pixels() <= 0 {
				t.Fatalf("ray-tracer request without a scene or pixels: %+v", req.Features)
			}
		} else if req.Features.Width <= 0 || req.Features.Height <= 0 || int64(req.Features.Width)*int64(req.Features.Height) > lim.Image.MaxPixels {
			t.Fatalf("image %dx%d outside 1..%d pixels", req.Features.Width, req.Features.Height, lim.Image.MaxPixels)
		}
	})
}

// FuzzRaytraceQuery parses arbitrary query strings: a refusal is a 400,
// and parameters that are read back from their own Query() are the same.
func FuzzRaytraceQuery(f *testing.F) {
	f.Add(query400)
	f.Add("scols=%38&srows=6&wcols=+8&wrows=6&coff=-0&roff=0&aa=TRUE&multi=true&aa=no")
	f.Add("scols=99999999999999999999&srows")
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := parseRaytraceQuery(raw)
		if err != nil {
			if StatusOf(err) != 400 || strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("refusal %d %q, want a one-line 400", StatusOf(err), err)
			}
			return
		}
		back, err := parseRaytraceQuery(p.Query())
		if err != nil || back != p {
			t.Fatalf("%+v: Query() %q reads back as %+v, %v", p, p.Query(), back, err)
		}
	})
}

// FuzzRaytraceBody writes arbitrary scenes and textures with RaytraceBody
// and reads them back: the decoder returns them unchanged (a scene that is
// not UTF-8 is not compared: JSON strings carry text, so its invalid bytes
// come back as U+FFFD).
func FuzzRaytraceBody(f *testing.F) {
	f.Add("0 0 0\n", []byte{66, 77, 0, 255}, true)
	f.Add("\"\\\u2028\x00", []byte(nil), false)
	f.Add("\xff", []byte{}, true)
	f.Fuzz(func(t *testing.T, scene string, texmap []byte, withTexmap bool) {
		if !withTexmap {
			texmap = nil
		}
		gotScene, gotTex, err := readRaytraceBody(RaytraceBody([]byte(scene), texmap))
		if err != nil {
			t.Fatalf("body of scene %q, texmap %v: %v", scene, texmap, err)
		}
		if utf8.ValidString(scene) && string(gotScene) != scene {
			t.Fatalf("scene %q read back as %q", scene, gotScene)
		}
		if !bytes.Equal(gotTex, texmap) {
			t.Fatalf("texmap %v read back as %v", texmap, gotTex)
		}
	})
}

// FuzzJSONString decodes arbitrary JSON string tokens: what the streaming
// reader gives, read in pieces of any size, is what encoding/json gives,
// and it refuses what encoding/json refuses.
func FuzzJSONString(f *testing.F) {
	f.Add(`"plain"`, uint8(0))
	f.Add(`"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \ud800 \udc00x"`, uint8(1))
	f.Add("\"\xff\xfe\xe2\x82\"", uint8(2))
	f.Add(`"bad \x escape"`, uint8(3))
	f.Add(`"\u12"`, uint8(4))
	f.Fuzz(func(t *testing.T, tok string, size uint8) {
		p := jsonScanner{b: []byte(tok)}
		if p.skipString() != nil || p.i != len(tok) {
			return // not one string token: the scanner refuses it first
		}
		var want string
		wantErr := json.Unmarshal([]byte(tok), &want)
		if _, err := jsonStringLen([]byte(tok)); (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("jsonStringLen(%q): %v, encoding/json: %v", tok, err, wantErr)
		}
		r := newJSONStringReader([]byte(tok))
		var got []byte
		buf := make([]byte, int(size%8)+1)
		var err error
		for {
			var n int
			n, err = r.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if (wantErr == nil) != (err == io.EOF) {
			t.Fatalf("%q: reader %v, encoding/json %v", tok, err, wantErr)
		}
		if wantErr == nil && string(got) != want {
			t.Fatalf("%q read as %q, encoding/json gives %q", tok, got, want)
		}
		if wantErr != nil {
			return
		}
		// jsonStringLen measures the text, decodeJSONString decodes it.
		n, err := jsonStringLen([]byte(tok))
		if err != nil || n != len(want) {
			t.Fatalf("jsonStringLen(%q) = %d, %v; want %d", tok, n, err, len(want))
		}
		if text := decodeJSONString([]byte(tok), n); string(text) != want {
			t.Fatalf("decodeJSONString(%q) = %q, want %q", tok, text, want)
		}
	})
}

// FuzzNegotiate reads arbitrary queries and Accept headers: the answer is
// the data URL or one of the formats a raw answer can have, the native one
// for image/* or ?output=raw.
func FuzzNegotiate(f *testing.F) {
	f.Add("", "image/avif,image/webp,image/*,*/*;q=0.8", uint8(0))
	f.Add("output=raw", "", uint8(1))
	f.Add("output=dataurl", "image/png", uint8(2))
	f.Add("", "image/*;q=0, image/gif;level=1", uint8(3))
	f.Add("", `image/png; q="0`, uint8(4))
	natives := []string{"bmp", "jpg", "jpeg", "png", "gif"}
	f.Fuzz(func(t *testing.T, rawQuery, accept string, n uint8) {
		native := natives[int(n)%len(natives)]
		got := Negotiate(rawQuery, accept, native)
		switch got {
		case "", native, "bmp", "png", "jpeg", "gif":
		default:
			t.Fatalf("Negotiate(%q, %q, %s) = %q", rawQuery, accept, native, got)
		}
		if strings.EqualFold(parseQuery(rawQuery)["output"], "raw") && got != native {
			t.Fatalf("?output=raw gave %q, want %s", got, native)
		}
	})
}

// FuzzReadResponse reads arbitrary answers: a format named in lower case
// and the image, or an error, never a panic.
func FuzzReadResponse(f *testing.F) {
	f.Add("image/bmp", "BM....", "bmp")
	f.Add("text/plain; charset=us-ascii", "data:image/png;base64,iVBORw0KGgo=", "png")
	f.Add("", "data:image/jpg;base64,\n/9j/\n", "JPG")
	f.Add("image/jpeg", "\xff\xd8", "jpg")
	f.Add("image/x-ms-bmp; q=1", "", "")
	f.Add("image/", "data:image/gif;base64,R0lGOD", "gif")
	f.Fuzz(func(t *testing.T, ctype, body, asked string) {
		format, img, err := ReadResponse(ctype, []byte(body), asked)
		if err != nil {
			if format != "" || img != nil {
				t.Fatalf("format %q, %d bytes with error %v", format, len(img), err)
			}
			return
		}
		if format == "" || format != strings.ToLower(format) {
			t.Fatalf("format %q for %q", format, ctype)
		}
	})
}

// FuzzParseAttempt: ParseAttempt accepts exactly the decimal numbers from 1
// to MaxAttempt, written as strconv.Itoa writes them.
func FuzzParseAttempt(f *testing.F) {
	for _, s := range []string{"1", "12", "0", "01", "-1", "1000000", "1000001", " 7", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseAttempt(s)
		v, err := strconv.Atoi(s)
		want := err == nil && v >= 1 && v <= MaxAttempt && strconv.Itoa(v) == s
		if ok != want || ok && n != v {
			t.Fatalf("ParseAttempt(%q) = %d, %v; want %v", s, n, ok, want)
		}
	})
}

// FuzzValidEscapes: a string token that skipValue accepts without
// encoding/json is one encoding/json finds valid, and the other way round.
func FuzzValidEscapes(f *testing.F) {
	f.Add(`"plain"`)
	f.Add(`"esc \" \\ \/ \b \f \n \r \t \u00e9 \uD83D"`)
	f.Add(`"bad \x"`)
	f.Add(`"short \u12"`)
	f.Fuzz(func(t *testing.T, body string) {
		p := jsonScanner{b: []byte(body)}
		if p.peek() != '"' || p.skipString() != nil || p.i != len(p.b) {
			return // not one closed string token
		}
		if got, want := validEscapes(p.b), json.Valid(p.b); got != want {
			t.Fatalf("validEscapes(%q) = %v, encoding/json says %v", body, got, want)
		}
	})
}
