package wire

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// sceneBody is the JSON body of a ray-tracer request, as a string.
func sceneBody(scene, texmap []byte) string { return string(RaytraceBody(scene, texmap)) }

// readRaytraceBody reads a ray-tracer body's scene and texture whole.
func readRaytraceBody(body []byte) (scene, texmap []byte, err error) {
	rb, err := decodeRaytraceBody(body)
	if err != nil {
		return nil, nil, err
	}
	return rb.scene(), rb.tex.bytes(), nil
}

// readByteArray reads the JSON array of byte values v starts with.
func readByteArray(v []byte) ([]byte, int, error) {
	n, used, err := parseByteArray(v)
	if err != nil {
		return nil, 0, err
	}
	b, err := io.ReadAll(&byteArrayReader{v: v[:used]})
	if err != nil || len(b) != n {
		return nil, 0, fmt.Errorf("read %d bytes (%v) of an array of %d", len(b), err, n)
	}
	return b, used, nil
}

func TestDecodeRaytraceBody(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	for _, tc := range []struct {
		name   string
		body   string
		scene  string
		texmap []byte
		err    string // "" = no error; else in the message
	}{
		{"scene only", `{"scene": "a\r\nb"}`, "a\r\nb", nil, ""},
		{"jq pretty print", "{\n  \"scene\": \"x\",\n  \"texmap\": [\n    66,\n    77\n  ]\n}\n", "x", []byte{66, 77}, ""},
		{"escapes", `{"scene": "tab\there \u00e9 \"q\""}`, "tab\there \u00e9 \"q\"", nil, ""},
		{"other keys ignored", `{"a": {"b": [1, {"c": null}], "d": "}"}, "scene": "s", "e": -1.5e3, "f": true}`, "s", nil, ""},
		{"last duplicate wins", `{"scene": "one", "scene": "two", "texmap": [1], "texmap": [2, 3]}`, "two", []byte{2, 3}, ""},
		{"texmap null", `{"scene": "s", "texmap": null}`, "s", nil, ""},
		{"texmap empty", `{"scene": "s", "texmap": []}`, "s", nil, ""},
		{"texmap base64", `{"scene": "s", "texmap": "QkwA"}`, "s", []byte("BL\x00"), ""},
		{"keys are case-sensitive", `{"Scene": "s"}`, "", nil, `missing "scene"`},
		{"empty object", `{}`, "", nil, `missing "scene"`},
		{"trailing data", `{"scene": "s"} x`, "", nil, "unexpected data after the object"},
		{"missing colon", `{"scene" "s"}`, "", nil, "want ':'"},
		{"missing comma", `{"scene": "s" "texmap": []}`, "", nil, "want ',' or '}'"},
		{"unterminated string", `{"scene": "s`, "", nil, "unterminated string"},
		{"raw newline in string", "{\"scene\": \"a\nb\"}", "", nil, "control character"},
		{"bad escape", `{"scene": "\x"}`, "", nil, "malformed JSON"},
		{"invalid ignored value", `{"scene": "s", "x": [1,,2]}`, "", nil, "malformed JSON"},
		{"bad literal", `{"scene": "s", "x": nul}`, "", nil, "invalid JSON value"},
		{"too deep", `{"scene": "s", "x": ` + deep + `}`, "", nil, "nested deeper"},
		{"string body", `"scene"`, "", nil, "is a JSON string, not an object"},
		{"number key", `{1: 2}`, "", nil, "want a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scene, texmap, err := readRaytraceBody([]byte(tc.body))
			if wantError(t, err, tc.err) {
				if StatusOf(err) != 400 {
					t.Errorf("status %d, want 400", StatusOf(err))
				}
				return
			}
			if string(scene) != tc.scene || string(texmap) != string(tc.texmap) || (texmap == nil) != (tc.texmap == nil) {
				t.Errorf("scene %q texmap %v, want %q %v", scene, texmap, tc.scene, tc.texmap)
			}
		})
	}
}

func TestParseByteArray(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []byte
		err  string
	}{
		{"empty", "[]", []byte{}, ""},
		{"values", "[0, 66,77 ,255]", []byte{0, 66, 77, 255}, ""},
		{"signed bytes", "[-1,-128]", []byte{255, 128}, ""},
		{"pretty printed", "[\n  1,\n  2\n]", []byte{1, 2}, ""},
		{"too big", "[300]", nil, "out of range"},
		{"too small", "[-129]", nil, "out of range"},
		{"huge number", "[99999999999999999999]", nil, "out of range"},
		{"exponent", "[1e2]", nil, "not an integer"},
		{"string element", `["a"]`, nil, "not an integer"},
		{"unterminated", "[1,2", nil, "unterminated"},
		{"missing comma", "[1 2]", nil, "want ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := readByteArray([]byte(tc.in + " "))
			if wantError(t, err, tc.err) {
				return
			}
			if string(got) != string(tc.want) || n != len(tc.in) {
				t.Errorf("got %v using %d bytes, want %v using %d", got, n, tc.want, len(tc.in))
			}
		})
	}
}

func TestRaytraceBodyIsTheOriginalFormat(t *testing.T) {
	scene := []byte("0 0 0\r\n\"quoted\"\t\\ \u00e9\r\n")
	tex := []byte{66, 77, 0, 255, 128}
	b := RaytraceBody(scene, tex)
	var got struct {
		Scene  string `json:"scene"`
		Texmap []int  `json:"texmap"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got.Scene != string(scene) || len(got.Texmap) != len(tex) {
		t.Fatalf("round trip: %+v", got)
	}
	for i, v := range tex {
		if got.Texmap[i] != int(v) {
			t.Errorf("texmap[%d] = %d, want %d (unsigned)", i, got.Texmap[i], v)
		}
	}
	if b := RaytraceBody(scene, nil); strings.Contains(string(b), "texmap") {
		t.Errorf("body without texmap mentions it: %s", b)
	}
	if want := `{"scene":"a\nb","texmap":[]}`; string(RaytraceBody([]byte("a\nb"), []byte{})) != want {
		t.Errorf("empty texmap: %s, want %s", RaytraceBody([]byte("a\nb"), []byte{}), want)
	}
}

// TestRaytraceBodyRoundTrip: what RaytraceBody writes, the decoder reads
// back unchanged.
func TestRaytraceBodyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name          string
		scene, texmap []byte
	}{
		{"scene only", []byte("0 0 0\n1 2 3\n"), nil},
		{"escapes and unicode", []byte("\"q\" \\ \t <&> \u00e9 \u2028"), nil},
		{"every byte value", []byte("s"), func() []byte {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scene, texmap, err := readRaytraceBody(RaytraceBody(tc.scene, tc.texmap))
			if err != nil {
				t.Fatal(err)
			}
			if string(scene) != string(tc.scene) || string(texmap) != string(tc.texmap) {
				t.Errorf("read back scene %q texmap %v, want %q %v", scene, texmap, tc.scene, tc.texmap)
			}
		})
	}
}
